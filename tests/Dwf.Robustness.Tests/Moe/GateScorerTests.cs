using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Moe;

public class GateScorerTests
{
    /// <summary>A scorer from outside the library: fixed scores per expert, whatever the image.</summary>
    private sealed class FixedScorer(double[] scores) : GateScorer(nameof(FixedScorer), scores.Length, temperature: 1.0)
    {
        public override Tensor Scores(Tensor input) => tensor(scores).to(input.dtype).unsqueeze(0).expand(input.shape[0], -1).clone();
    }

    [Fact]
    public void TopKGate_OverACustomScorer_KeepsTheKBestScoresSoftmaxed()
    {
        using var scope = NewDisposeScope();
        using var gate = new TopKGate(new FixedScorer([0.0, 2.0, 1.0, -1.0]), k: 2);

        var weights = gate.call(zeros(3, 3, 8, 8)).to(ScalarType.Float64).data<double>().ToArray();

        double w1 = Math.Exp(2) / (Math.Exp(2) + Math.Exp(1));
        weights.Take(4).Should().Equal([0, w1, 1 - w1, 0], (a, e) => Math.Abs(a - e) < 1e-6);
        gate.Experts.Should().Be(4);
    }

    [Fact]
    public void SoftGate_IsAGateScorer_ForwardIsSoftmaxOfScoresOverTemperature()
    {
        using var scope = NewDisposeScope();
        using var gate = new SoftGate(3, width: 4, temperature: 2.0);
        gate.eval();
        var x = rand(4, 3, 8, 8);
        using var noGrad = no_grad();

        var expected = nn.functional.softmax(gate.Scores(x) / 2.0, 1);

        (gate.call(x) - expected).abs().max().item<float>().Should().BeLessThan(1e-6f);
        ((GateScorer)gate).Temperature.Should().Be(2.0);
    }
}
