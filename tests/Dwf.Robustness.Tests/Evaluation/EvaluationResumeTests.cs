using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Evaluation;

public class EvaluationResumeTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    // Random starts and a cascade: a resume that re-seeded or re-chose images wrongly would change the numbers.
    private static EvaluationOptions Options() => new()
    {
        Plan = new EvaluationPlan("p",
        [
            new EvaluationStage("sweep", StageKind.Sweep, [new Fgsm(0.03), new Pgd(0.05, 0.0125, steps: 4)]),
            new EvaluationStage("cascade", StageKind.Cascade, [new Apgd(0.05, steps: 5), Apgd.TargetedDlr(0.05, 2, steps: 4)]),
        ]),
        BatchSize = 64,
        Seed = 9,
        SanityChecks = false,
    };

    private sealed class CancelAfter(int reports, CancellationTokenSource source) : IProgress<EvaluationProgress>
    {
        private int _seen;

        public void Report(EvaluationProgress value)
        {
            if (++_seen == reports)
            {
                source.Cancel();
            }
        }
    }

    private static RobustnessReport Comparable(RobustnessReport r) => r with { Seconds = 0, CreatedUtc = DateTimeOffset.UnixEpoch };

    [Theory]
    [InlineData(2)]   // inside the clean stage
    [InlineData(7)]   // inside the sweep's PGD
    [InlineData(15)]  // inside the cascade's APGD-T
    public void Evaluate_StoppedAndResumed_SameReportAsUninterrupted(int stopAfter)
    {
        using var dir = new TempDirectory();
        string state = dir.File("eval.state.json");
        var evaluator = new RobustnessEvaluator(Options());
        var expected = evaluator.Evaluate(f.Trained.Model, f.TestSet, "tiny");

        using var source = new CancellationTokenSource();
        var stop = () => evaluator.Evaluate(f.Trained.Model, f.TestSet, "tiny", progress: new CancelAfter(stopAfter, source),
            cancellationToken: source.Token, statePath: state);
        stop.Should().Throw<OperationCanceledException>();
        if (stopAfter > 4)
        {
            File.Exists(state).Should().BeTrue("the work done after the clean stage (4 batches) is kept");
        }

        var resumed = evaluator.Evaluate(f.Trained.Model, f.TestSet, "tiny", statePath: state);

        ReportJson.Serialize(Comparable(resumed)).Should().Be(ReportJson.Serialize(Comparable(expected)));
        File.Exists(state).Should().BeFalse("a complete evaluation removes its state");
    }

    [Fact]
    public void Evaluate_StateOfOtherModel_RefusedNamingTheFile()
    {
        using var dir = new TempDirectory();
        string state = dir.File("eval.state.json");
        using var source = new CancellationTokenSource();
        var evaluator = new RobustnessEvaluator(Options());
        var stop = () => evaluator.Evaluate(f.Trained.Model, f.TestSet, "tiny", progress: new CancelAfter(6, source), cancellationToken: source.Token, statePath: state);
        stop.Should().Throw<OperationCanceledException>();
        using var other = new TinyCnn(4, seed: 99);

        var act = () => evaluator.Evaluate(other, f.TestSet, "other", statePath: state);

        act.Should().Throw<InvalidDataException>().WithMessage("*eval.state.json*another evaluation*");
    }

    [Theory]
    [InlineData("batchesDone", 99, "*batches done*")]
    [InlineData("completedCount", 3, "*but 3 images need*")]
    public void Evaluate_DamagedStateWithMatchingFingerprint_RefusedNamingTheFile(string field, int value, string message)
    {
        using var dir = new TempDirectory();
        string state = dir.File("eval.state.json");
        using var source = new CancellationTokenSource();
        var evaluator = new RobustnessEvaluator(Options());
        var stop = () => evaluator.Evaluate(f.Trained.Model, f.TestSet, "tiny", progress: new CancelAfter(12, source), cancellationToken: source.Token, statePath: state);
        stop.Should().Throw<OperationCanceledException>();
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(state))!;
        if (field == "batchesDone")
        {
            json["batchesDone"] = value;
        }
        else
        {
            json["completed"]![0]!["count"] = value;
        }

        File.WriteAllText(state, json.ToJsonString());

        var act = () => evaluator.Evaluate(f.Trained.Model, f.TestSet, "tiny", statePath: state);

        act.Should().Throw<InvalidDataException>().WithMessage($"*eval.state.json*damaged*{message.Trim('*')}*");
    }
}
