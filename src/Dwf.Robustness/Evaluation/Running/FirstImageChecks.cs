using static TorchSharp.torch;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// The checks that need the clean outcomes of the first images (<see cref="EvaluationRun.First"/>, read once): zero
/// input gradients, accuracy left at a very large ε, and for a routed model a routing weight no gradient reaches.
/// They run right after the clean pass, with sanity checks on, and their findings go to <see cref="EvaluationRun.LateWarnings"/>.
/// </summary>
internal static class FirstImageChecks
{
    /// <summary>Images the checks look at, at most: the first batch's first 200.</summary>
    public const int Images = 200;

    public static void Run(EvaluationRun run)
    {
        if (!run.Options.SanityChecks)
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var kernels = Numerics.LibTorchSettings.HoldKernels();
        var (images, labels) = run.FirstImages(Math.Min(run.Options.BatchSize, Images));
        var clean = run.State.Clean!.ToArray();
        SanityChecks.CheckGradientsAndLargeEpsilon(run.Model, images, labels, clean, run.Options, run.LateWarnings);
        if (run.Routed is not null)
        {
            SanityChecks.CheckRoutingGradient(run.Routed, images, adaptiveChecksRun: run.Units.Any(u => u.IsAdaptive), run.LateWarnings);
        }
    }
}
