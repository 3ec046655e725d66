using System.Globalization;

namespace Dwf.Robustness.Numerics;

/// <summary>One convolution configuration that <see cref="ConvolutionCheck"/> compares against float64.</summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="KernelSize">Square kernel size.</param>
/// <param name="Stride">Stride.</param>
/// <param name="Batch">Images per batch.</param>
/// <param name="Layout">How the input and the output gradient are laid out.</param>
/// <param name="Size">Height and width of the input.</param>
public sealed record ConvolutionCase(long InChannels, long OutChannels, long KernelSize, long Stride, long Batch, ConvolutionLayout Layout = ConvolutionLayout.Contiguous, long Size = 16)
{
    /// <summary>Zero padding that keeps the size at stride 1 (k / 2).</summary>
    public long Padding => KernelSize / 2;

    /// <summary>
    /// The grid the diagnostic runs by default: channel counts that are and are not multiples of 8 and 16 on either
    /// side, 3×3 and 1×1 kernels, strides 1 and 2, batches 1, 16 and 100, every <see cref="ConvolutionLayout"/>.
    /// </summary>
    /// <returns>The cases, in table order.</returns>
    public static IReadOnlyList<ConvolutionCase> StandardGrid()
    {
        var shapes = new (long In, long Out, long K, long S)[]
        {
            (3, 4, 3, 1), (3, 6, 3, 1), (3, 8, 3, 1), (3, 12, 3, 1), (3, 15, 3, 1), (3, 16, 3, 1), (3, 24, 3, 1), (3, 32, 3, 1),
            (4, 4, 3, 1), (8, 8, 3, 1), (12, 12, 3, 1), (16, 8, 3, 1), (8, 16, 3, 1), (16, 16, 3, 1), (16, 32, 3, 1), (24, 24, 3, 1),
            (8, 8, 1, 1), (16, 8, 1, 1), (1, 16, 3, 1), (6, 16, 3, 1), (12, 16, 3, 1), (17, 16, 3, 1), (24, 16, 3, 1), (40, 16, 3, 1),
            (48, 48, 3, 1), (24, 16, 1, 1), (24, 32, 3, 2), (8, 16, 1, 2), (4, 8, 1, 2), (12, 24, 1, 2), (24, 48, 1, 2), (8, 16, 1, 1), (8, 16, 3, 2), (8, 12, 3, 2), (16, 32, 1, 2),
        };
        var cases = new List<ConvolutionCase>();
        foreach (var layout in Enum.GetValues<ConvolutionLayout>())
        {
            foreach (long batch in new long[] { 1, 16, 100 })
            {
                foreach (var s in shapes)
                {
                    cases.Add(new ConvolutionCase(s.In, s.Out, s.K, s.S, batch, layout));
                }
            }
        }

        return cases;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{InChannels}→{OutChannels} {KernelSize}×{KernelSize} s{Stride} batch {Batch} {Layout}");
}
