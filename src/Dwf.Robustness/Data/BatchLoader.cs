using Dwf.Robustness.Infrastructure;
using static TorchSharp.torch;

namespace Dwf.Robustness.Data;

/// <summary>
/// Cuts a <see cref="ImageDataset"/> into float batches in [0,1] on a chosen device. Epoch <c>e</c> is shuffled and
/// augmented from a generator derived from (<see cref="BatchLoaderOptions.Seed"/>, e), so any epoch can be
/// replayed exactly, which is what makes resumed training identical to uninterrupted training.
/// </summary>
public sealed class BatchLoader
{
    private readonly ImageDataset _data;
    private readonly Device _device;

    /// <summary>Creates a loader; the dataset stays owned by the caller and must outlive the loader.</summary>
    /// <param name="data">Images and labels.</param>
    /// <param name="options">Batch size, shuffling, augmentation, seed; defaults when null.</param>
    /// <param name="device">Where batches are placed; CPU when null.</param>
    public BatchLoader(ImageDataset data, BatchLoaderOptions? options = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        Options = options ?? new BatchLoaderOptions();
        Options.Validate();
        _device = device ?? CPU;
    }

    /// <summary>The options in force.</summary>
    public BatchLoaderOptions Options { get; }

    /// <summary>SHA-256 of the dataset's labels and pixels, for checkpoint fingerprints.</summary>
    internal string ContentHash() => _data.ContentHash();

    /// <summary>Number of images in the dataset.</summary>
    public int Count => _data.Count;

    /// <summary>Batches one epoch yields.</summary>
    public int BatchesPerEpoch => Options.DropLast
        ? _data.Count / Options.BatchSize
        : (_data.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The first <paramref name="count"/> images (fewer if the dataset is smaller), unshuffled and unaugmented, as a float batch; no random draw is made.</summary>
    /// <param name="count">Images wanted.</param>
    internal Batch First(int count)
    {
        using var scope = NewDisposeScope();
        long n = Math.Min(count, _data.Count);
        return new Batch(FloatImages(_data.Images.narrow(0, 0, n)), _data.Labels.narrow(0, 0, n).to(_device));
    }

    /// <summary>The images at <paramref name="indices"/> (dataset positions, in the order given), unaugmented, as a float batch; no random draw is made.</summary>
    /// <param name="indices">Positions in the dataset, each in [0, Count).</param>
    internal Batch Gather(IReadOnlyList<int> indices)
    {
        using var scope = NewDisposeScope();
        var index = tensor(indices.Select(i => (long)i).ToArray());
        return new Batch(FloatImages(_data.Images.index_select(0, index)), _data.Labels.index_select(0, index).to(_device));
    }

    /// <summary>Stored images (uint8 0–255 or float) as float32 in [0,1] on the loader's device.</summary>
    private Tensor FloatImages(Tensor stored)
    {
        var selected = stored.to(_device);
        return selected.dtype == ScalarType.Byte ? selected.to(ScalarType.Float32).div_(255.0) : selected.to(ScalarType.Float32);
    }

    /// <summary>
    /// Yields the batches of epoch <paramref name="epoch"/>. Each <see cref="Batch"/> belongs to the caller,
    /// who disposes it (<c>foreach (var b in loader.Epoch(e)) using (b) { … }</c>).
    /// </summary>
    /// <param name="epoch">Zero-based epoch number; selects the shuffle and augmentation.</param>
    /// <param name="skipBatches">Batches at the start of the epoch to skip (the draws are still made, so what follows is unchanged).</param>
    public IEnumerable<Batch> Epoch(int epoch, int skipBatches = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        using var generator = Seeds.Generator(Options.Seed, epoch);
        Tensor order;
        using (NewDisposeScope())
        {
            order = (Options.Shuffle ? randperm(_data.Count, generator: generator) : arange(_data.Count, dtype: ScalarType.Int64))
                .MoveToOuterDisposeScope();
        }

        using var _ = order;
        int batches = BatchesPerEpoch;
        for (int i = 0; i < batches; i++)
        {
            long start = (long)i * Options.BatchSize;
            long end = Math.Min(start + Options.BatchSize, _data.Count);
            Batch batch;
            using (NewDisposeScope())
            {
                var index = order.narrow(0, start, end - start);
                var images = FloatImages(_data.Images.index_select(0, index));
                var labels = _data.Labels.index_select(0, index).to(_device);
                if (Options.Augment)
                {
                    images = Augmentation.RandomCropFlip(images, Options.CropPadding, generator);
                }

                if (i < skipBatches)
                {
                    continue;
                }

                batch = new Batch(images, labels);
            }

            yield return batch;
        }
    }
}
