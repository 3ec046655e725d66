using Dwf.Robustness.Numerics;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Numerics;

/// <summary>The diagnostic of docs/reliability.md as a test: the library's convolution is right on this machine in every case of the grid.</summary>
public class ConvolutionCheckTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Run_LibraryConvolution_CorrectInEveryCaseOfTheGridTwice(int threads)
    {
        int before = get_num_threads();
        set_num_threads(threads);
        try
        {
            var wrong = new List<string>();
            foreach (var convolution in ConvolutionCase.StandardGrid())
            {
                for (int run = 0; run < 2; run++)
                {
                    var result = ConvolutionCheck.Run(convolution, library: true, seed: run);
                    if (!result.IsCorrect)
                    {
                        wrong.Add($"{convolution} (run {run}): forward {result.Forward:0.0e0}, input grad {result.InputGradient:0.0e0}, weight grad {result.WeightGradient:0.0e0}");
                    }
                }
            }

            wrong.Should().BeEmpty();
        }
        finally
        {
            set_num_threads(before);
        }
    }

    [Fact]
    public void Run_Float64Itself_HasNoError()
    {
        // The reference against itself: the measure is zero when nothing differs, so a non-zero error is the kernel's.
        using var scope = NewDisposeScope();
        var x = rand(3, 4, dtype: ScalarType.Float64);
        ConvolutionCheck.RelativeError(x, x).Should().Be(0);
        ConvolutionCheck.RelativeError(full(3, 4, double.NaN), x).Should().Be(double.NaN);
    }

    [Fact]
    public void StandardGrid_CoversTheReportedCasesInEveryLayout()
    {
        var grid = ConvolutionCase.StandardGrid();
        foreach (var layout in Enum.GetValues<ConvolutionLayout>())
        {
            foreach (var (i, o) in new (long, long)[] { (3, 8), (3, 12), (8, 8), (4, 4), (3, 24), (16, 8), (24, 16), (3, 16) })
            {
                foreach (long batch in new long[] { 1, 16, 100 })
                {
                    grid.Should().Contain(c => c.InChannels == i && c.OutChannels == o && c.Batch == batch && c.Layout == layout && c.Stride == 1);
                }
            }
        }
    }
}
