using Dwf.Robustness.Defaults;
using static TorchSharp.torch;

namespace Dwf.Robustness.Data;

/// <summary>
/// Per-channel mean and standard deviation of images in [0,1]: the input normalization a model built for a dataset
/// carries inside it (<see cref="Experts.InputNormalization"/>), computed from the training images only.
/// </summary>
/// <param name="Mean">Mean of each channel over every image and pixel.</param>
/// <param name="Std">Standard deviation of each channel (population), each &gt; 0.</param>
public sealed record ChannelStatistics(IReadOnlyList<double> Mean, IReadOnlyList<double> Std)
{
    /// <summary>Smallest standard deviation returned: a channel that is constant in every image (one grey level) is divided by one pixel level, not by zero.</summary>
    public const double MinStd = 1.0 / 255;

    /// <summary>CIFAR-10's training-set statistics, the library's defaults.</summary>
    public static ChannelStatistics Cifar10 { get; } = new(OurDefaults.Cifar10Mean, OurDefaults.Cifar10Std);

    /// <summary>The statistics of every image of <paramref name="dataset"/>, summed in float64 in chunks (no copy of the whole set).</summary>
    /// <param name="dataset">Images, uint8 0–255 or float32 in [0,1]; at least one.</param>
    /// <param name="chunk">Images per chunk (memory bound).</param>
    /// <exception cref="ArgumentException">An empty dataset.</exception>
    public static ChannelStatistics Of(ImageDataset dataset, int chunk = 1024)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        if (dataset.Count == 0)
        {
            throw new ArgumentException("Channel statistics need at least one image; the dataset is empty.", nameof(dataset));
        }

        int channels = (int)dataset.Images.shape[1];
        var sum = new double[channels];
        var squares = new double[channels];
        for (int start = 0; start < dataset.Count; start += chunk)
        {
            using var scope = NewDisposeScope();
            var x = dataset.Images.narrow(0, start, Math.Min(chunk, dataset.Count - start)).to_type(ScalarType.Float64);
            if (dataset.Images.dtype == ScalarType.Byte)
            {
                x = x.div(255.0);
            }

            var s = x.sum([0, 2, 3]).data<double>().ToArray();
            var q = x.square().sum([0, 2, 3]).data<double>().ToArray();
            for (int c = 0; c < channels; c++)
            {
                sum[c] += s[c];
                squares[c] += q[c];
            }
        }

        double n = (double)dataset.Count * dataset.Images.shape[2] * dataset.Images.shape[3];
        var mean = sum.Select(v => v / n).ToArray();
        var std = squares.Select((v, c) => Math.Max(MinStd, Math.Sqrt(Math.Max(0, v / n - mean[c] * mean[c])))).ToArray();
        return new ChannelStatistics(mean, std);
    }
}
