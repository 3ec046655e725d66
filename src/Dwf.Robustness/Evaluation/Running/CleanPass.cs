using Dwf.Robustness.Routing;
using static TorchSharp.torch;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// The first pass: which images the model classifies correctly (the only ones attacks run on), the gate's weights on
/// clean images, and the checks on the first batch's logits. Skipped on a resume that has it; then, for a continued
/// evaluation, the earlier report must classify the same images correctly.
/// </summary>
internal static class CleanPass
{
    public const string Name = "clean";

    public static void Run(EvaluationRun run)
    {
        var state = run.State;
        if (state.Clean is null)
        {
            var clean = new bool[run.Count];
            int offset = 0;
            foreach (var batch in run.Loader.Epoch(0))
            {
                using (batch)
                using (NewDisposeScope())
                using (Numerics.LibTorchSettings.HoldKernels())
                {
                    run.Call.CancellationToken.ThrowIfCancellationRequested();
                    using var noGrad = no_grad();
                    var logits = Predict(run.Model, run.Routed, batch.Images, state.GateClean);
                    Outcomes.ToHost(logits.argmax(1).eq(batch.Labels)).CopyTo(clean, offset);
                    if (offset == 0 && run.Options.SanityChecks)
                    {
                        SanityChecks.CheckLogits(logits, state.Warnings);
                        SanityChecks.CheckDeterministic(run.Model, batch.Images, logits, run.Expectation, state.Warnings);
                    }

                    offset += batch.Size;
                    run.Report(Name, 0, offset, run.Count);
                }
            }

            state.Clean = SampleOutcomes.From(clean);
            run.Checkpoint();
        }

        run.Outcomes.SetClean(state.Clean.ToArray());
        if (run.Options.After is { } after && EarlierReport.Clean(after, run) is { } earlier)
        {
            int differ = earlier.Zip(state.Clean.ToArray()).Count(p => p.First != p.Second);
            if (differ > 0)
            {
                throw new ArgumentException(
                    $"The earlier report of '{after.Model}' (EvaluationOptions.After) classifies {differ} of {run.Count} clean images differently from this model: " +
                    "it is a report of other weights. Pass the report this model produced on these images.", nameof(EvaluationOptions.After));
            }
        }
    }

    /// <summary>The model's logits; for a routed model whose gate is tracked, the route weights are summed into <paramref name="gateSums"/>.</summary>
    public static Tensor Predict(nn.Module<Tensor, Tensor> model, IRoutedModel? routed, Tensor images, double[]? gateSums)
    {
        if (routed is null || gateSums is null)
        {
            return model.call(images);
        }

        var output = routed.Route(images);
        var sums = output.Weights.sum(new long[] { 0 }).to(ScalarType.Float64).cpu().data<double>().ToArray();
        for (int i = 0; i < sums.Length; i++)
        {
            gateSums[i] += sums[i];
        }

        return output.Logits;
    }
}
