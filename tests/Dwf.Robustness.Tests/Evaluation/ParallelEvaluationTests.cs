using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Numerics;
using Dwf.Robustness.Testing;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Evaluation;

/// <summary>Evaluations on several threads at once: the same reports as one after another (<see cref="LibTorchSettings.HoldKernels"/>).</summary>
public class ParallelEvaluationTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    private static readonly DateTimeOffset Fixed = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static EvaluationOptions Options => EvaluationFixture.SweepAndCascade with { Seed = 7, AdaptiveMixtureChecks = true };

    private RobustnessReport Evaluate(nn.Module<Tensor, Tensor> model, string name) =>
        new RobustnessEvaluator(Options, timeProvider: new FixedTimeProvider(Fixed)).Evaluate(model, f.TestSet, name);

    [Fact]
    public void Evaluate_TwoModelsSideBySide_ReportsEqualOneAfterAnother()
    {
        // A fresh mixture: its gradient check (oneDNN off, process-wide) runs while the trained model is being attacked.
        using var mixture = TinyMixture.Create(experts: 3, seed: 11);

        var side = OnTwoThreads(() => Evaluate(f.Trained.Model, "trained"), () => Evaluate(mixture, "mixture"));
        var serial = new[] { Evaluate(f.Trained.Model, "trained"), Evaluate(mixture, "mixture") };

        side.Select(ReportJson.Serialize).Should().Equal(serial.Select(ReportJson.Serialize));
        side[0].Attacks.Should().Contain(a => a.Correct > 0 && a.Correct < side[0].CleanOutcomes!.ToArray().Count(c => c),
            "the attacks must decide some images each way for the comparison to mean anything");
        side[1].Gate.Should().NotBeNull("the mixture's report is one of a routed model");
    }

    [Fact]
    public void Evaluate_AttackSteps_RunWithTheKernelsHeld()
    {
        var held = new List<bool>();
        var progress = new Steps(p =>
        {
            if (p.AttackSteps > 0 || p.StageIndex == 0)
            {
                held.Add(LibTorchSettings.KernelsHeldHere);
            }
        });

        new RobustnessEvaluator(Options).Evaluate(f.Trained.Model, f.TestSet, "tiny", progress: progress);

        held.Should().NotBeEmpty().And.OnlyContain(h => h, "another thread's gradient check must not switch kernels in the middle of a batch");
        LibTorchSettings.KernelsHeldHere.Should().BeFalse("every section is closed after the evaluation");
    }

    [Fact]
    public void WithoutOneDnn_KernelsHeldOnAnotherThread_WaitsForTheSection()
    {
        InputGradientCheck.IsAvailable.Should().BeTrue("the Linux CPU backend exports the oneDNN switch");
        using var ran = new ManualResetEventSlim();
        var other = new Thread(() => LibTorchSettings.WithoutOneDnn(() => { ran.Set(); return true; }));
        using (LibTorchSettings.HoldKernels())
        {
            other.Start();
            ran.Wait(TimeSpan.FromMilliseconds(300)).Should().BeFalse("the switch waits while a section is open");
        }

        ran.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue("it runs once the section is closed");
        other.Join();
    }

    /// <summary>Runs both at once, each on its own thread; an exception of either is rethrown here.</summary>
    private static RobustnessReport[] OnTwoThreads(Func<RobustnessReport> first, Func<RobustnessReport> second)
    {
        var results = new RobustnessReport[2];
        var errors = new Exception?[2];
        var threads = new[] { first, second }.Select((work, i) => new Thread(() =>
        {
            try
            {
                results[i] = work();
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (errors.FirstOrDefault(e => e is not null) is { } error)
        {
            throw new InvalidOperationException("An evaluation on its own thread failed.", error);
        }

        return results;
    }

    /// <summary>Reports synchronously, on the evaluating thread.</summary>
    private sealed class Steps(Action<EvaluationProgress> report) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => report(value);
    }
}
