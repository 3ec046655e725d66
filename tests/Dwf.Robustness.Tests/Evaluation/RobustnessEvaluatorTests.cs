using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Testing;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Evaluation;

public class RobustnessEvaluatorTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    internal static EvaluationOptions Small(bool randomStart = true) => new()
    {
        FgsmEpsilons = [0.02, 0.05],
        PgdEpsilons = [0.05],
        PgdSteps = [10, 20],
        PgdStepSize = 0.0125,
        PgdRandomStart = randomStart,
        BatchSize = 64,
        Seed = 3,
    };

    [Fact]
    public void Evaluate_WithSanityChecksAndPackedCascade_LeaksNoTensor()
    {
        // Sanity checks read the first images once (views of them must not outlive the call); the cascade packs survivors.
        var options = Small() with { PgdSteps = [3], BatchSize = 32, PerClass = 40 };

        LeakCheck.AssertNoLeak(() => new RobustnessEvaluator(options).Evaluate(f.Trained.Model, f.TestSet, "tiny"));
    }

    [Fact]
    public void Evaluate_ModelWithNaNWeight_ThrowsNamingTheParameter()
    {
        using var model = new TinyCnn(4, seed: 5);
        using (no_grad())
        {
            model.parameters().First().view(-1)[0] = float.NaN;
        }

        var act = () => new RobustnessEvaluator(Small()).Evaluate(model, f.TestSet, "nan");

        act.Should().Throw<ArgumentException>().WithMessage("*conv1.weight*NaN or infinite*");
    }

    [Fact]
    public void Evaluate_FixedTimeProvider_TimesComeFromIt()
    {
        var time = new FixedTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

        var a = new RobustnessEvaluator(Small(randomStart: false), timeProvider: time).Evaluate(f.Trained.Model, f.TestSet, "tiny");
        var b = new RobustnessEvaluator(Small(randomStart: false), timeProvider: time).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        (a.Seconds, a.CreatedUtc).Should().Be((0.0, time.GetUtcNow()));
        ReportJson.Serialize(a).Should().Be(ReportJson.Serialize(b), "with a fixed clock two runs of a deterministic evaluation give the same report");
        a.Should().Be(b, "reports compare by value, lists included");
        a.Should().NotBe(b with { Warnings = [new EvaluationWarning(WarningCode.Unclassified, "other")] });
    }

    [Fact]
    public void Evaluate_DeterministicAttacks_NumbersEqualDirectAttackCalls()
    {
        using var scope = NewDisposeScope();
        var options = Small(randomStart: false);
        var model = f.Trained.Model;

        var report = new RobustnessEvaluator(options).Evaluate(model, f.TestSet, "tiny");

        var x = f.TestSet.Images.to(ScalarType.Float32) / 255;
        var y = f.TestSet.Labels;
        model.eval();
        Tensor clean;
        using (no_grad())
        {
            clean = model.call(x).argmax(1).eq(y);
        }

        report.CleanAccuracy.Should().Be(clean.to(ScalarType.Float64).mean().item<double>());
        var keep = clean.nonzero().squeeze(1);
        foreach (var (_, attack) in options.ResolvePlan().Attacks())
        {
            var adversarial = attack.Perturb(model, x.index_select(0, keep), y.index_select(0, keep));
            long correct;
            using (no_grad())
            {
                correct = model.call(adversarial).argmax(1).eq(y.index_select(0, keep)).sum().item<long>();
            }

            report.Attacks.Single(a => a.Descriptor.Matches(attack.Descriptor)).Accuracy.Should().Be((double)correct / f.TestSet.Count, attack.Name);
        }
    }

    [Fact]
    public void Evaluate_WorstCase_OnePerEpsilonEqualToAndOfItsAttacks()
    {
        var report = new RobustnessEvaluator(Small()).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        report.Attacks.Should().HaveCount(4);
        report.WorstCase.Select(w => w.Epsilon).Should().Equal(0.02, 0.05); // never one number across budgets
        var clean = report.CleanOutcomes!.ToArray();
        foreach (var w in report.WorstCase)
        {
            var at = report.Attacks.Where(a => Math.Abs(a.Epsilon - w.Epsilon) < 1e-9).Select(a => a.Outcomes!.ToArray()).ToList();
            var expected = clean.Select((c, i) => c && at.All(o => o[i])).ToArray();
            w.Outcomes.ToArray().Should().Equal(expected);
            w.Accuracy.Should().Be(expected.Count(c => c) / 256.0);
            w.Interval.Lower.Should().BeLessThanOrEqualTo(w.Accuracy);
            w.Interval.Upper.Should().BeGreaterThanOrEqualTo(w.Accuracy);
            w.PerClass.Zip(report.PerClassClean).Should().OnlyContain(p => p.First <= p.Second);
        }

        report.WorstCase.Single(w => w.Epsilon == 0.05).Attacks.Should().HaveCount(3, "FGSM and both PGD runs at 0.05");
        report.Samples.Should().Be(256);
        report.DataSha256.Should().HaveLength(64);
        report.ModelInfo!.Parameters.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Evaluate_OrdinaryModel_NoWarnings()
    {
        var report = new RobustnessEvaluator(Small()).Evaluate(f.Trained.Model, f.TestSet, "tiny");
        report.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void Evaluate_InputQuantizingModel_WarnsOfGradientMasking()
    {
        using var masked = new QuantizingModel(f.Trained.Model);

        var report = new RobustnessEvaluator(Small()).Evaluate(masked, f.TestSet, "masked");

        report.Warnings.Should().Contain(w => w.Code == WarningCode.ZeroInputGradient && w.Message.Contains("gradient is exactly zero"));
    }

    [Fact]
    public void Evaluate_ProbabilityOutputs_Warns()
    {
        using var softmaxed = new SoftmaxModel(f.Trained.Model);
        var report = new RobustnessEvaluator(Small() with { SanityChecks = true }).Evaluate(softmaxed, f.TestSet, "probabilities");
        report.Warnings.Should().Contain(w => w.Code == WarningCode.ProbabilitiesNotLogits && w.Message.Contains("look like probabilities"));
    }

    [Fact]
    public void Evaluate_ModelInTrainingMode_WarnsAndRestoresMode()
    {
        var model = f.Trained.Model;
        model.train();
        try
        {
            var report = new RobustnessEvaluator(Small() with { SanityChecks = false }).Evaluate(model, f.TestSet, "tiny");
            report.Warnings.Should().ContainSingle(w => w.Code == WarningCode.ModelInTrainingMode && w.Message.Contains("training mode"));
            model.training.Should().BeTrue();
        }
        finally
        {
            model.eval();
        }
    }

    [Fact]
    public void Evaluate_Mixture_ReportsGateWeights()
    {
        using var moe = TinyMixture.Create(experts: 3);
        var report = new RobustnessEvaluator(Small() with { SanityChecks = false, PgdSteps = [2] }).Evaluate(moe, f.TestSet, "moe");

        report.Gate.Should().NotBeNull();
        report.Gate!.Experts.Should().Equal("e0", "e1", "e2");
        report.Gate.Clean.Sum().Should().BeApproximately(1, 1e-5);
        report.Gate.Attacked.Sum().Should().BeApproximately(1, 1e-5);
        report.Gate.AttackedBy.Should().StartWith("PGD-2");
    }

    [Fact]
    public void Evaluate_PerClassSubset_EvaluatesNPerClass()
    {
        var report = new RobustnessEvaluator(Small() with { PerClass = 5, SanityChecks = false }).Evaluate(f.Trained.Model, f.TestSet, "tiny");
        report.Samples.Should().Be(20);
        report.Dataset.Should().Contain("first 5 per class");
    }

    [Fact]
    public void Evaluate_SkipPerClass_EvaluatesLaterImagesOfEachClassAndSaysWhich()
    {
        var first = new RobustnessEvaluator(Small() with { PerClass = 5, SanityChecks = false }).Evaluate(f.Trained.Model, f.TestSet, "tiny");
        var later = new RobustnessEvaluator(Small() with { PerClass = 5, SkipPerClass = 5, SanityChecks = false }).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        later.Samples.Should().Be(20);
        later.Dataset.Should().Contain("images 6–10 of each class");
        later.DataSha256.Should().NotBe(first.DataSha256, "other images were evaluated");
    }

    [Fact]
    public void Constructor_SkipPerClassWithoutPerClass_ThrowsNamingOption()
    {
        var act = () => new RobustnessEvaluator(Small() with { SkipPerClass = 900 });
        act.Should().Throw<ArgumentException>().WithParameterName("SkipPerClass").WithMessage("*needs PerClass*");
    }

    [Fact]
    public void Constructor_NegativeEpsilon_ThrowsNamingOption()
    {
        var act = () => new RobustnessEvaluator(Small() with { PgdEpsilons = [-0.1] });
        act.Should().Throw<ArgumentException>().WithMessage("*[0,1]*");
    }

    [Fact]
    public void Constructor_ZeroBatch_ThrowsNamingOption()
    {
        var act = () => new RobustnessEvaluator(Small() with { BatchSize = 0 });
        act.Should().Throw<ArgumentException>().WithParameterName("BatchSize");
    }

    private sealed class QuantizingModel(nn.Module<Tensor, Tensor> inner) : nn.Module<Tensor, Tensor>("Quantizing")
    {
        public override Tensor forward(Tensor input) => inner.call((input * 4).round() / 4);
    }

    private sealed class SoftmaxModel(nn.Module<Tensor, Tensor> inner) : nn.Module<Tensor, Tensor>("Softmax")
    {
        public override Tensor forward(Tensor input) => nn.functional.softmax(inner.call(input), 1);
    }
}
