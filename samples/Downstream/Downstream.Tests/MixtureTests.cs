using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Testing;
using static TorchSharp.torch;

namespace Downstream.Tests;

public class MixtureTests
{
    [Fact]
    public void MixtureOfExperts_OfCustomExperts_GateWeightsEveryExpertAndSumToOne()
    {
        using var scope = NewDisposeScope();
        IExpert[] experts =
        [
            new Expert(new TwoLayerNet(4, seed: 1), "a", 4),
            new Expert(new TwoLayerNet(4, seed: 2), "b", 4),
            new Expert(new TinyCnn(4, seed: 3), "c", 4),
        ];
        using var mixture = new MixtureOfExperts(experts, new SoftGate(experts.Length, width: 4));
        mixture.eval();
        var (images, _) = SyntheticImages.Make(6);

        using var output = mixture.ForwardDetailed(images);

        Assert.Equal(new long[] { 6, 3 }, output.GateWeights.shape);
        Assert.Equal(new long[] { 6, 4 }, output.Logits.shape);
        Assert.True(output.GateWeights.gt(0).all().item<bool>(), "a soft gate gives every expert a positive weight");
        Assert.True((output.GateWeights.sum(1) - 1).abs().max().item<float>() < 1e-5f, "gate weights sum to one per image");
    }
}
