using Dwf.Robustness.Evaluation;

namespace Dwf.Robustness.Tests.Evaluation;

public class FloatDatasetEvaluationTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    [Fact]
    public void Evaluate_FloatDatasetOfTheSameImages_SameReport()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var floats = new Dwf.Robustness.Data.ImageDataset(f.TestSet.Images.to(TorchSharp.torch.ScalarType.Float32) / 255, f.TestSet.Labels.clone(), f.TestSet.ClassNames);
        var options = RobustnessEvaluatorTests.Small(randomStart: false) with { SanityChecks = false };

        var fromBytes = new RobustnessEvaluator(options).Evaluate(f.Trained.Model, f.TestSet, "tiny");
        var fromFloats = new RobustnessEvaluator(options).Evaluate(f.Trained.Model, floats, "tiny");

        fromFloats.CleanOutcomes!.Bits.Should().Be(fromBytes.CleanOutcomes!.Bits);
        fromFloats.Attacks.Select(a => a.Outcomes!.Bits).Should().Equal(fromBytes.Attacks.Select(a => a.Outcomes!.Bits));
    }

    [Fact]
    public void Constructor_FloatImagesOutsideUnitRange_ThrowsWithFix()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var act = () => new Dwf.Robustness.Data.ImageDataset(TorchSharp.torch.full(new long[] { 2, 3, 4, 4 }, 255f), TorchSharp.torch.zeros(2, TorchSharp.torch.ScalarType.Int64), ["a"]);
        act.Should().Throw<ArgumentException>().WithMessage("*[0,1]*255*Divide*");
    }
}
