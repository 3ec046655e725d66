using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Testing;
using Dwf.Robustness.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Evaluation;

/// <summary><see cref="EvaluationOptions.After"/>: a second plan run only on the first one's survivors.</summary>
public class EvaluationAfterTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    private const double Eps = 0.05;

    private static EvaluationOptions First() => new()
    {
        Plan = new EvaluationPlan("first", [new EvaluationStage("sweep", StageKind.Sweep, [new Fgsm(Eps), new Pgd(Eps, 0.0125, steps: 4)])]),
        BatchSize = 64,
        Seed = 3,
        SanityChecks = false,
    };

    private static EvaluationOptions Second(IAttack attack) => new()
    {
        Plan = new EvaluationPlan("second", [new EvaluationStage("cascade", StageKind.Cascade, [attack])]),
        BatchSize = 64,
        Seed = 4,
        SanityChecks = false,
    };

    /// <summary>Counts the images handed to the attack it wraps.</summary>
    private sealed class CountingAttack(IAttack inner) : IAttack
    {
        public int Images { get; private set; }

        public string Name => inner.Name;

        public AttackDescriptor Descriptor => inner.Descriptor;

        public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator = null)
        {
            Images += (int)images.shape[0];
            return inner.Perturb(model, images, labels, generator);
        }
    }

    [Fact]
    public void Evaluate_AfterEarlierReport_AttacksOnlyItsSurvivorsAndNamesIt()
    {
        var first = new RobustnessEvaluator(First()).Evaluate(f.Trained.Model, f.TestSet, "tiny");
        var survivors = first.WorstCaseAt(Eps)!.Outcomes!.ToArray();
        first.CleanAccuracy.Should().BeGreaterThan(first.WorstCaseAt(Eps)!.Accuracy, "the test needs images the first plan broke");
        var counting = new CountingAttack(new Apgd(Eps, steps: 5));

        var second = new RobustnessEvaluator(Second(counting) with { After = first }).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        counting.Images.Should().Be(survivors.Count(s => s), "only the images the first plan left robust at ε are attacked");
        var after = second.WorstCaseAt(Eps)!.Outcomes!.ToArray();
        after.Zip(survivors).Should().OnlyContain(p => !p.First || p.Second, "an image the first plan broke counts as broken");
        second.CleanAccuracy.Should().Be(first.CleanAccuracy, "clean accuracy is measured on every image");
        second.Options.AttackedAfter.Should().Be("tiny, plan first");
        first.Options.AttackedAfter.Should().BeNull();
        ReportMarkdown.Render(second).Should().Contain("attacking only the images robust after tiny, plan first");
        ReportJson.Deserialize(ReportJson.Serialize(second)).Options.AttackedAfter.Should().Be("tiny, plan first", "the JSON keeps it");
    }

    [Fact]
    public void Evaluate_AfterReportOfOtherData_RefusedNamingTheSubset()
    {
        var first = new RobustnessEvaluator(First() with { FirstN = 50 }).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        var act = () => new RobustnessEvaluator(Second(new Apgd(Eps, steps: 2)) with { After = first }).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        act.Should().Throw<ArgumentException>().WithMessage("*other data*50 images*same test subset*");
    }

    [Fact]
    public void Evaluate_AfterReportWithoutThatBudget_RefusedNamingEpsilon()
    {
        var first = new RobustnessEvaluator(First()).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        var act = () => new RobustnessEvaluator(Second(new Apgd(0.03, steps: 2)) with { After = first }).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        act.Should().Throw<ArgumentException>().WithMessage("*no worst case at ε = 0.03*ε = 0.05*");
    }

    [Fact]
    public void Evaluate_AfterReportOfOtherModelName_Refused()
    {
        var first = new RobustnessEvaluator(First()).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        var act = () => new RobustnessEvaluator(Second(new Apgd(Eps, steps: 2)) with { After = first }).Evaluate(f.Trained.Model, f.TestSet, "other");

        act.Should().Throw<ArgumentException>().WithMessage("*model 'tiny'*of 'other'*");
    }

    [Fact]
    public void Evaluate_AfterReportOfOtherWeights_RefusedCountingTheDifferences()
    {
        var first = new RobustnessEvaluator(First()).Evaluate(f.Trained.Model, f.TestSet, "tiny");
        using var untrained = new TinyCnn(4, seed: 99);

        var act = () => new RobustnessEvaluator(Second(new Apgd(Eps, steps: 2)) with { After = first }).Evaluate(untrained, f.TestSet, "tiny");

        act.Should().Throw<ArgumentException>().WithMessage("*classifies * of * clean images differently*other weights*");
    }

    [Fact]
    public void Evaluate_AfterWithTwoAttacksAtOneBudget_BothCountedAndNothingLeaks()
    {
        // Both attacks of the second plan share the earlier report's survivors at that ε: one tensor, disposed once.
        var first = new RobustnessEvaluator(First()).Evaluate(f.Trained.Model, f.TestSet, "tiny");
        var plan = new EvaluationPlan("second", [new EvaluationStage("cascade", StageKind.Cascade, [new Apgd(Eps, steps: 3), new Fgsm(Eps)])]);
        RobustnessReport? second = null;

        LeakCheck.AssertNoLeak(() =>
            second = new RobustnessEvaluator(Second(new Fgsm(Eps)) with { Plan = plan, After = first }).Evaluate(f.Trained.Model, f.TestSet, "tiny"));

        second!.Attacks.Should().HaveCount(2);
        second.WorstCaseAt(Eps)!.Accuracy.Should().BeLessThanOrEqualTo(first.WorstCaseAt(Eps)!.Accuracy);
    }
}
