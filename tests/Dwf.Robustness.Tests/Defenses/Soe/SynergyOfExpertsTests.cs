using Dwf.Robustness.Defenses.Soe;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Defenses.Soe;

public class SynergyOfExpertsTests
{
    internal static SynergyOfExperts Tiny(int members = 3, long seed = 0) =>
        new(Enumerable.Range(0, members).Select(i => (nn.Module<Tensor, Tensor>)new TinyCnn(5, seed + i)).ToArray(), numClasses: 4);

    [Fact]
    public void Forward_TinyMembers_LogitsOfTheExpertWithHighestMaxSoftmaxTimesConfidence()
    {
        using var scope = NewDisposeScope();
        using var soe = Tiny();
        soe.eval();
        var (x, _) = SyntheticImages.Make(32, seed: 3);
        using var noGrad = no_grad();

        var logits = soe.call(x).to(ScalarType.Float64).data<double>().ToArray();

        var outputs = soe.MemberModules.Select(m => m.call(x).to(ScalarType.Float64).data<double>().ToArray()).ToArray();
        int chosenOtherThanFirst = 0;
        for (int b = 0; b < 32; b++)
        {
            int best = -1;
            double bestScore = double.NegativeInfinity;
            for (int m = 0; m < 3; m++)
            {
                var row = outputs[m].Skip(b * 5).Take(5).ToArray();
                double max = row.Take(4).Max();
                double maxSoftmax = 1 / row.Take(4).Sum(z => Math.Exp(z - max));
                double score = maxSoftmax / (1 + Math.Exp(-row[4]));
                if (score > bestScore)
                {
                    (best, bestScore) = (m, score);
                }
            }

            chosenOtherThanFirst += best == 0 ? 0 : 1;
            logits.Skip(b * 4).Take(4).Should().Equal(outputs[best].Skip(b * 5).Take(4), (a, e) => Math.Abs(a - e) < 1e-5, $"sample {b} answers with expert {best}");
        }

        chosenOtherThanFirst.Should().BeGreaterThan(0, "the test must see the selection choose more than one expert");
    }

    [Fact]
    public void Route_TinyMembers_OneHotWeightsWithoutGradientAndTheForwardLogits()
    {
        using var scope = NewDisposeScope();
        using var soe = Tiny();
        soe.eval();
        var (x, _) = SyntheticImages.Make(16, seed: 4);

        using var routed = soe.Route(x.requires_grad_(true));

        routed.Weights.requires_grad.Should().BeFalse("a hard selection passes no gradient through the choice");
        routed.Weights.sum(1).allclose(ones(16)).Should().BeTrue();
        (routed.Weights.max(1).values == 1).all().item<bool>().Should().BeTrue("one expert per sample");
        using var noGrad = no_grad();
        (routed.Logits - soe.call(x)).abs().max().item<float>().Should().Be(0f);
    }

    [Fact]
    public void Forward_MemberWithoutConfidenceOutput_NamesTheExpertAndTheShape()
    {
        using var scope = NewDisposeScope();
        using var soe = new SynergyOfExperts([new TinyCnn(5, 0), new TinyCnn(4, 1)], numClasses: 4);
        var (x, _) = SyntheticImages.Make(2);

        var act = () => soe.call(x);

        act.Should().Throw<InvalidOperationException>().WithMessage("*soe-2*index 1*[2,4]*[2,5]*confidence logit last*");
    }

    [Fact]
    public void Constructor_OneMember_Refused()
    {
        var act = () => new SynergyOfExperts([new TinyCnn(5, 0)], numClasses: 4);
        act.Should().Throw<ArgumentException>().WithMessage("*at least 2 experts*got 1*");
    }

    [Fact]
    public void SoftSelection_LowTemperature_ApproachesTheHardSelection()
    {
        using var scope = NewDisposeScope();
        using var soe = Tiny();
        soe.eval();
        var (x, _) = SyntheticImages.Make(32, seed: 5);
        using var noGrad = no_grad();
        var hard = soe.call(x);

        using var cold = new SoeSoftSelection(soe, 1e-4);
        using var warm = new SoeSoftSelection(soe, 10);

        (cold.call(x) - hard).abs().max().item<float>().Should().BeLessThan(1e-3f);
        (warm.call(x) - hard).abs().max().item<float>().Should().BeGreaterThan(1e-3f, "a warm surrogate mixes the experts");
    }

    [Fact]
    public void SoftSelection_InputGradient_ReachesTheSelectionScores()
    {
        using var scope = NewDisposeScope();
        using var soe = Tiny();
        soe.eval();
        using var surrogate = new SoeSoftSelection(soe, 0.1);
        var (x, _) = SyntheticImages.Make(8, seed: 6);
        var input = x.requires_grad_(true);

        var gradient = autograd.grad([surrogate.call(input).sum()], [input])[0];

        gradient.abs().sum().item<float>().Should().BeGreaterThan(0f);
    }

    [Fact]
    public void ForwardAndRoute_TinyMembers_NoTensorsLeak()
    {
        using var soe = Tiny();
        soe.eval();
        var (x, _) = SyntheticImages.Make(8, seed: 7);
        using (x)
        {
            LeakCheck.AssertNoLeak(() =>
            {
                using var noGrad = no_grad();
                soe.call(x).Dispose();
                soe.Route(x).Dispose();
                soe.ForwardDetailed(x).Dispose();
            });
        }
    }

    [Fact]
    public void ResNet20_Factory_ThreeExpertsOfKPlusOneOutputs()
    {
        using var scope = NewDisposeScope();
        using var soe = SynergyOfExperts.ResNet20(width: 0.5);
        soe.eval();
        using var noGrad = no_grad();

        soe.Members.Should().Be(3);
        soe.call(rand(2, 3, 32, 32)).shape.Should().Equal(2, 10);
        soe.RouteNames.Should().Equal("soe-1", "soe-2", "soe-3");
    }
}
