using System.Globalization;
using Dwf.Robustness.Numerics;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// The table behind docs/reliability.md's "Convolution gradients": every case of <see cref="ConvolutionCase.StandardGrid"/>
/// at 1 and 2 threads, plain <c>conv2d</c> and <see cref="ChannelsLastConv2d"/>, as relative errors against float64. Prints
/// one Markdown row per case and a summary line; exits non-zero when a library case is wrong.
/// </summary>
internal static class ConvolutionDiagnostic
{
    /// <param name="repeats">Runs of every case (different random tensors); the worst error is shown.</param>
    /// <param name="plain">Also run plain conv2d: on an affected machine that can abort the process (heap corruption), so the
    /// rows are flushed one by one and CI runs the library path only.</param>
    /// <param name="skip">Rows to skip (to continue after a row that aborted the process: docs/reliability.md shows how).</param>
    public static int Run(int repeats, bool plain, int skip = 0)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"libtorch {__version__}, {Environment.ProcessorCount} cores, AVX2 {System.Runtime.Intrinsics.X86.Avx2.IsSupported}, AVX-512F {System.Runtime.Intrinsics.X86.Avx512F.IsSupported}, ONEDNN_MAX_CPU_ISA={Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? "(unset)"}, NNPACK off: {LibTorchSettings.Apply()}");
        if (skip > 0)
        {
            Console.WriteLine($"(the first {skip} rows skipped)");
        }

        Console.WriteLine("| case | threads | plain: forward | plain: input grad (worst of runs) | plain: weight grad | library: forward | library: input grad (worst) | library: weight grad |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        int plainWrong = 0, libraryWrong = 0, rows = 0;
        foreach (int threads in new[] { 1, 2 })
        {
            set_num_threads(threads);
            foreach (var c in ConvolutionCase.StandardGrid())
            {
                if (skip-- > 0)
                {
                    continue;
                }

                ConvolutionCheckResult? plainResult = null, library = null;
                for (int r = 0; r < repeats; r++)
                {
                    library = Worse(library, ConvolutionCheck.Run(c, library: true, seed: r));
                    plainResult = plain ? Worse(plainResult, ConvolutionCheck.Run(c, library: false, seed: r)) : null;
                }

                rows++;
                plainWrong += plainResult is null || plainResult.IsCorrect ? 0 : 1;
                libraryWrong += library!.IsCorrect ? 0 : 1;
                string plainCells = plainResult is null ? "– | – | –" : $"{Mark(plainResult.Forward)} | {Mark(plainResult.InputGradient)} | {Mark(plainResult.WeightGradient)}";
                Console.WriteLine(string.Create(inv,
                    $"| {c} | {threads} | {plainCells} | {Mark(library.Forward)} | {Mark(library.InputGradient)} | {Mark(library.WeightGradient)} |"));
                Console.Out.Flush();
            }
        }

        Console.WriteLine($"{rows} rows ({repeats} runs each): plain conv2d wrong in {(plain ? plainWrong.ToString(inv) : "(not run)")}, ChannelsLastConv2d wrong in {libraryWrong} (tolerance {ConvolutionCheckResult.Tolerance:0e0})");
        return libraryWrong == 0 ? 0 : 1;
    }

    private static ConvolutionCheckResult Worse(ConvolutionCheckResult? a, ConvolutionCheckResult b) =>
        a is null ? b : new ConvolutionCheckResult(b.Case, b.Library, Max(a.Forward, b.Forward), Max(a.InputGradient, b.InputGradient), Max(a.WeightGradient, b.WeightGradient));

    private static double Max(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    private static string E(double v) => double.IsNaN(v) ? "**NaN**" : v.ToString("0.0e0", CultureInfo.InvariantCulture);

    private static string Mark(double v) => double.IsNaN(v) ? "**NaN**" : v > ConvolutionCheckResult.Tolerance ? $"**{E(v)}**" : E(v);
}
