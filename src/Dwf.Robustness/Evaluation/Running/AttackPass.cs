using Dwf.Robustness.Attacks;
using Dwf.Robustness.Infrastructure;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// One attack run: the attack on the images it is eligible for (<see cref="Outcomes.Eligible"/>), packed into full
/// batches in test-set order within each block of <see cref="EvaluationOptions.BatchesPerBlock"/> batches (as
/// auto-attack's <c>run_standard_evaluation</c> packs them across its data), so a run on the few images a cascade left
/// costs a few batches, not a pass over the data; which outcomes it leaves; and, for the run that shows the gate under
/// attack, the gate's weights on adversarial images. Batch b of block k (k counted in the whole subset, also in a
/// shard) of run u draws from the generator (seed, u, k × BatchesPerBlock + b), so a block's outcomes do not depend on
/// the other blocks. Resumes at the batch where a stopped evaluation left it; saves the state after every batch when
/// there is a state file.
/// </summary>
internal static class AttackPass
{
    public static void Run(EvaluationRun run, int u, int gateUnit)
    {
        var unit = run.Units[u];
        var state = run.State;
        int[] eligible = run.Outcomes.Eligible(u);
        var batches = Packed(run, eligible);
        var correct = (state.Partial is { } partial ? run.Outcomes.FromHost(partial.ToArray()) : zeros(run.Count, ScalarType.Bool, run.Device)).DetachFromDisposeScope();
        bool trackGate = u == gateUnit && run.Routed is not null;
        using var averaged = run.Expectation > 1 ? new ExpectationOverTransformation(unit.Target ?? run.Model, run.Expectation) : null;
        var target = (nn.Module<Tensor, Tensor>?)averaged ?? unit.Target ?? run.Model;
        try
        {
            for (int b = state.BatchesDone; b < batches.Count; b++)
            {
                using (NewDisposeScope())
                {
                    run.Call.CancellationToken.ThrowIfCancellationRequested();
                    var (slot, picked, done) = batches[b];
                    Attack(run, unit, u, slot, target, picked, correct, trackGate, done, eligible.Length);
                    state.BatchesDone = b + 1;
                    if (run.Call.StatePath is not null)
                    {
                        state.Partial = SampleOutcomes.From(Outcomes.ToHost(correct));
                        run.Checkpoint();
                    }

                    run.Report(unit.Name, u + 1, done + picked.Length, eligible.Length);
                }
            }

            run.Outcomes.Add(correct);
        }
        catch
        {
            correct.Dispose();
            throw;
        }

        var host = Outcomes.ToHost(correct);
        state.Completed.Add(SampleOutcomes.From(host));
        state.Partial = null;
        state.BatchesDone = 0;
        state.Save(run.Call.StatePath);
        run.Logger.LogInformation("{Model}: {Stage}/{Attack} accuracy {Accuracy:P2}", run.Call.ModelName, unit.Stage, unit.Name, (double)host.Count(c => c) / run.Count);
    }

    /// <summary>
    /// The eligible images in batches packed within each block, in order: each with its seed slot (block in the whole
    /// subset × BatchesPerBlock + batch in the block) and the eligible images before it.
    /// </summary>
    private static List<(long Slot, int[] Picked, int Done)> Packed(EvaluationRun run, int[] eligible)
    {
        int size = run.Options.BatchSize, blockImages = run.BlockImages;
        var batches = new List<(long, int[], int)>();
        int start = 0;
        while (start < eligible.Length)
        {
            int block = eligible[start] / blockImages, end = start;
            while (end < eligible.Length && eligible[end] / blockImages == block)
            {
                end++;
            }

            for (int b = 0; start + b * size < end; b++)
            {
                int from = start + b * size;
                batches.Add(((long)(run.FirstBlock + block) * run.Options.BatchesPerBlock + b, eligible[from..Math.Min(end, from + size)], from));
            }

            start = end;
        }

        return batches;
    }

    private static void Attack(EvaluationRun run, EvaluationUnit unit, int u, long slot, nn.Module<Tensor, Tensor> target, int[] picked, Tensor correct,
        bool trackGate, int done, int total)
    {
        using var kernels = Numerics.LibTorchSettings.HoldKernels(); // no kernel switch by another thread's gradient check mid-attack
        using var batch = run.Loader.Gather(picked);
        using var generator = Seeds.Generator(run.Options.Seed, u, slot);
        var steps = run.Call.Progress is null ? null : new StepForwarder(p => run.Report(unit.Name, u + 1, done, total, p.Done, p.Total));
        var adversarial = unit.Attack.Perturb(target, batch.Images, batch.Labels, generator, run.Call.CancellationToken, steps);
        using var noGrad = no_grad();
        var logits = CleanPass.Predict(run.Model, run.Routed, adversarial, trackGate ? run.State.GateAttacked : null);
        if (trackGate)
        {
            run.State.GateAttackedCount += picked.Length;
        }

        using var index = tensor(picked.Select(i => (long)i).ToArray()).to(run.Device);
        correct.index_put_(logits.argmax(1).eq(batch.Labels), index);
    }

    /// <summary>Forwards an attack's per-step progress synchronously (no thread pool hop, unlike <see cref="Progress{T}"/>).</summary>
    private sealed class StepForwarder(Action<AttackProgress> report) : IProgress<AttackProgress>
    {
        public void Report(AttackProgress value) => report(value);
    }
}
