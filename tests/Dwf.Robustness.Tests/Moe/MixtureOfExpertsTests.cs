using Dwf.Robustness.Attacks;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Moe;

public class MixtureOfExpertsTests
{
    [Fact]
    public void ForwardDetailed_Batch_ReturnsShapes()
    {
        using var scope = NewDisposeScope();
        using var moe = TinyMixture.Create(experts: 3);
        moe.eval();

        using var output = moe.ForwardDetailed(rand(5, 3, 8, 8));

        output.Logits.shape.Should().Equal(5, 4);
        output.GateWeights.shape.Should().Equal(5, 3);
        output.ExpertLogits.shape.Should().Equal(5, 3, 4);
    }

    [Fact]
    public void Forward_LogitMode_EqualsHandWeightedSum()
    {
        using var scope = NewDisposeScope();
        using var moe = TinyMixture.Create(experts: 3);
        moe.eval();
        var x = rand(4, 3, 8, 8);

        var logits = moe.call(x);

        var w = moe.Gate.call(x);
        var expected = zeros(4, 4);
        for (int i = 0; i < 3; i++)
        {
            expected += w[.., i].unsqueeze(1) * moe.Experts[i].Module.call(x);
        }

        logits.allclose(expected, atol: 1e-5).Should().BeTrue();
    }

    [Fact]
    public void Forward_ProbabilityMode_ReturnsLogOfMixedDistribution()
    {
        using var scope = NewDisposeScope();
        using var moe = TinyMixture.Create(experts: 3, mode: MixtureMode.Probabilities);
        moe.eval();
        var x = rand(4, 3, 8, 8);

        using var output = moe.ForwardDetailed(x);

        output.Logits.exp().sum(1).allclose(ones(4), atol: 1e-5).Should().BeTrue("exp of the output is a distribution");
        var mixed = (output.GateWeights.unsqueeze(2) * nn.functional.softmax(output.ExpertLogits, 2)).sum(1);
        output.Logits.allclose(mixed.log(), atol: 1e-5).Should().BeTrue();
        nn.functional.cross_entropy(output.Logits, zeros(4, dtype: ScalarType.Int64)).item<float>().Should().BeGreaterThan(0f);
    }

    [Fact]
    public void Backward_Unfrozen_GradientsReachGateAndEveryExpert()
    {
        using var scope = NewDisposeScope();
        using var moe = TinyMixture.Create(experts: 3);
        moe.train();

        nn.functional.cross_entropy(moe.call(rand(4, 3, 8, 8)), tensor(new long[] { 0, 1, 2, 3 })).backward();

        moe.Gate.parameters().Should().Contain(p => !ReferenceEquals(p.grad, null) && p.grad.abs().sum().item<float>() > 0);
        foreach (var expert in moe.Experts)
        {
            expert.Module.parameters().Should().Contain(p => !ReferenceEquals(p.grad, null) && p.grad.abs().sum().item<float>() > 0, expert.Name);
        }
    }

    [Fact]
    public void FreezeExperts_Backward_NoExpertGradientAndExpertsStayInEval()
    {
        using var scope = NewDisposeScope();
        using var moe = TinyMixture.Create(experts: 3);
        moe.FreezeExperts();
        moe.train();

        nn.functional.cross_entropy(moe.call(rand(4, 3, 8, 8)), tensor(new long[] { 0, 1, 2, 3 })).backward();

        foreach (var expert in moe.Experts)
        {
            expert.Module.parameters().Select(p => p.grad).Should().OnlyContain(g => ReferenceEquals(g, null), expert.Name);
            expert.Module.training.Should().BeFalse();
        }

        moe.Gate.parameters().Should().Contain(p => !ReferenceEquals(p.grad, null));
        moe.Gate.training.Should().BeTrue();

        moe.UnfreezeExperts();
        moe.Experts[0].Module.training.Should().BeTrue();
        moe.Experts[0].Module.parameters().Should().OnlyContain(p => p.requires_grad);
    }

    [Fact]
    public void Constructor_MixedClassCounts_ThrowsListingExperts()
    {
        var experts = TinyMixture.Experts(2, classes: 4).Append(new Expert(new TinyCnn(5), "odd", 5)).ToList();
        var act = () => new MixtureOfExperts(experts);
        act.Should().Throw<ArgumentException>().WithMessage("*odd (5)*");
    }

    [Fact]
    public void Forward_ExpertReturnsOtherClassCountThanItClaims_ThrowsNamingExpert()
    {
        using var scope = NewDisposeScope();
        // The module has 5 outputs, the expert claims 4: before, this failed inside torch.stack naming no expert.
        var experts = TinyMixture.Experts(2, classes: 4).Append(new Expert(new TinyCnn(5), "liar", 4)).ToList();
        using var moe = new MixtureOfExperts(experts, new SoftGate(3, width: 4));
        moe.eval();

        var act = () => moe.call(rand(2, 3, 8, 8));

        act.Should().Throw<InvalidOperationException>().WithMessage("*'liar' (index 2)*[2,5]*[2,4]*");
    }

    [Fact]
    public void Constructor_NoExperts_Throws()
    {
        var act = () => new MixtureOfExperts([]);
        act.Should().Throw<ArgumentException>().WithParameterName("experts");
    }

    [Fact]
    public void Constructor_AnyExpertTypes_Combines()
    {
        using var scope = NewDisposeScope();
        var experts = new IExpert[] { Expert.ResNet18("r", ExpertKind.Clean, numClasses: 4, width: 0.125), new Expert(new TinyCnn(4), "t", 4) };
        using var moe = new MixtureOfExperts(experts, new SoftGate(2, width: 4));
        moe.eval();
        moe.call(rand(2, 3, 32, 32)).shape.Should().Equal(2, 4);
    }

    [Fact]
    public void Forward_Batch_LeaksNoTensors()
    {
        using var moe = TinyMixture.Create(experts: 3);
        moe.eval();
        using var x = rand(4, 3, 8, 8);
        LeakCheck.AssertNoLeak(() => moe.call(x).Dispose());
    }

    [Fact]
    public void Pgd_OnMixture_GradientFlowsThroughGate()
    {
        // An attack on the mixture differs from one that ignores the gate (uniform weights): the gate is attacked too.
        using var scope = NewDisposeScope();
        using var moe = TinyMixture.Create(experts: 3, seed: 2);
        moe.eval();
        var (x, y) = SyntheticImages.Make(8);
        var attack = new Pgd(0.05, 0.01, steps: 5, randomStart: false);

        var throughGate = attack.Perturb(moe, x, y);
        using var uniform = new MixtureOfExperts(moe.Experts, new UniformGate(3));
        var withoutGate = attack.Perturb(uniform, x, y);

        throughGate.allclose(withoutGate).Should().BeFalse();
    }

    private sealed class UniformGate(int experts) : nn.Module<Tensor, Tensor>("UniformGate")
    {
        public override Tensor forward(Tensor input) => full(input.shape[0], experts, 1.0 / experts);
    }
}
