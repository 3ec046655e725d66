using Dwf.Robustness.Attacks;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks;

/// <summary>Square: a score-based attack that must work without a single gradient.</summary>
public class SquareTests(TrainedModelFixture f) : IClassFixture<TrainedModelFixture>
{
    /// <summary>Fails the test if the model is ever run with gradients enabled or on an input that requires a gradient.</summary>
    private sealed class NoGradientModel(nn.Module<Tensor, Tensor> inner) : nn.Module<Tensor, Tensor>(nameof(NoGradientModel))
    {
        public int Forwards { get; private set; }

        public override Tensor forward(Tensor input)
        {
            if (is_grad_enabled() || input.requires_grad)
            {
                throw new InvalidOperationException("Square asked for a gradient");
            }

            Forwards++;
            return inner.call(input);
        }
    }

    [Fact]
    public void Perturb_UndefendedModel_FindsAdversarialExamplesWithoutGradients()
    {
        using var scope = NewDisposeScope();
        using var model = new NoGradientModel(f.Model);
        using var gen = new Generator(4);
        double clean = QuickTrain.Accuracy(f.Model, f.TestImages, f.TestLabels);

        var adversarial = new Square(0.1, queries: 300).Perturb(model, f.TestImages, f.TestLabels, gen);

        double attacked = QuickTrain.Accuracy(f.Model, adversarial, f.TestLabels);
        attacked.Should().BeLessThan(clean / 2, "random search with 300 queries at ε = 0.1 must break most images of an undefended model");
        (adversarial - f.TestImages).abs().max().item<float>().Should().BeLessThanOrEqualTo(0.1f + 1e-6f);
        model.Forwards.Should().BeGreaterThan(1).And.BeLessThanOrEqualTo(301, "one forward per query at most (plus the label probe)");
    }

    [Fact]
    public void Perturb_L2UndefendedModel_BreaksMostImagesWithoutGradientsWithinTheSphere()
    {
        using var scope = NewDisposeScope();
        using var model = new NoGradientModel(f.Model);
        using var gen = new Generator(4);
        double clean = QuickTrain.Accuracy(f.Model, f.TestImages, f.TestLabels);

        var adversarial = new Square(2.0, queries: 300, threatModel: ThreatModel.L2).Perturb(model, f.TestImages, f.TestLabels, gen);

        double attacked = QuickTrain.Accuracy(f.Model, adversarial, f.TestLabels);
        attacked.Should().BeLessThan(clean / 2, "L2 random search with 300 queries at ε = 2 (0.14 per value on 3×8×8 images) must break most images of an undefended model");
        var norms = (adversarial - f.TestImages).flatten(1).to(ScalarType.Float64).square().sum(1).sqrt();
        norms.max().item<double>().Should().BeLessThanOrEqualTo(2.0 + 1e-5);
    }

    [Fact]
    public void Eta_AnySide_UnitNormPositiveThenNegativeLobePeakedAtCentre()
    {
        foreach (int side in new[] { 3, 5, 6, 7 })
        {
            var eta = Dwf.Robustness.Attacks.SquareSearch.L2SquareSearch.Eta(side);
            eta.Cast<double>().Sum(v => v * v).Should().BeApproximately(1.0, 1e-12);
            for (int i = 0; i < side; i++)
            {
                for (int j = 0; j < side; j++)
                {
                    (i < side / 2 ? eta[i, j] >= 0 : eta[i, j] <= 0).Should().BeTrue($"side {side}: row {i} belongs to the {(i < side / 2 ? "positive" : "negative")} lobe");
                }
            }
        }

        var three = Dwf.Robustness.Attacks.SquareSearch.L2SquareSearch.Eta(3);
        (three[0, 1] / three[0, 0]).Should().BeApproximately(5.0, 1e-12, "the centre of a 1 × 3 lobe gets 1 + 1/4, its neighbours 1/4");
        (three[2, 1] / three[1, 1]).Should().BeApproximately(5.0, 1e-12, "in the 2 × 3 lobe the centre is its row 1 (row 2 of η), which gets 1 + 1/4 against 1/4");
    }

    [Fact]
    public void WindowFraction_Schedule_HalvesAtTheReferenceQueryCounts()
    {
        var square = new Square(queries: 10000);
        square.WindowFraction(0).Should().Be(0.8);
        square.WindowFraction(11).Should().Be(0.4);
        square.WindowFraction(201).Should().Be(0.1);
        square.WindowFraction(9999).Should().Be(0.8 / 512);
        new Square(queries: 5000, rescaleSchedule: true).WindowFraction(100).Should().Be(0.2, "rescaled, 100 of 5,000 queries is 200 of 10,000");
    }

    [Fact]
    public void WindowFraction_DefaultAsAutoAttack_NotRescaled()
    {
        var square = new Square(queries: 5000);

        square.RescaleSchedule.Should().BeFalse("AutoAttack builds Square with resc_schedule=False");
        square.WindowFraction(300).Should().Be(0.1, "query 300 on the 10,000-query schedule: p_init/8 (rescaled it would be 600: p_init/16)");
        square.WindowFraction(4999).Should().Be(0.8 / 128, "the schedule stops at 4,999 of 10,000");
    }
}
