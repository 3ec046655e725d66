using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Moe;

public class SoftGateTests
{
    [Fact]
    public void Forward_Batch_WeightsNonNegativeAndSumToOne()
    {
        using var scope = NewDisposeScope();
        using var gate = new SoftGate(9, width: 8);
        gate.eval();

        var w = gate.call(rand(5, 3, 32, 32));

        w.shape.Should().Equal(5, 9);
        w.min().item<float>().Should().BeGreaterThan(0f, "a soft gate gives every expert some weight");
        w.sum(1).allclose(ones(5), atol: 1e-6).Should().BeTrue();
    }

    [Fact]
    public void Forward_HighTemperature_FlattensWeights()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var sharp = new SoftGate(4, width: 4, temperature: 0.1);
        manual_seed(1);
        using var flat = new SoftGate(4, width: 4, temperature: 100);
        sharp.eval();
        flat.eval();
        var x = rand(8, 3, 8, 8);

        var spreadSharp = sharp.call(x).amax(new long[] { 1 }).mean().item<float>();
        var spreadFlat = flat.call(x).amax(new long[] { 1 }).mean().item<float>();

        spreadFlat.Should().BeLessThan(spreadSharp);
        spreadFlat.Should().BeApproximately(0.25f, 0.01f);
    }

    [Fact]
    public void Forward_OneChannelWithItsNormalization_ScoresGrayscaleImages()
    {
        using var scope = NewDisposeScope();
        // Before, the gate was fixed to 3 channels and CIFAR-10's normalization.
        using var gate = new SoftGate(2, width: 4, channels: 1, mean: [0.5], std: [0.25]);
        gate.eval();

        var weights = gate.call(rand(3, 1, 8, 8));

        weights.shape.Should().Equal(3, 2);
        weights.sum(1).allclose(ones(3)).Should().BeTrue();
    }

    [Fact]
    public void Constructor_ChannelsWithoutMatchingNormalization_ThrowsNamingFix()
    {
        var act = () => new SoftGate(2, channels: 1);

        act.Should().Throw<ArgumentException>().WithParameterName("mean").WithMessage("*each of its 1 channels*got none and none*Pass mean: and std:*");
    }

    [Fact]
    public void Constructor_NonPositiveTemperature_ThrowsNamingTemperature()
    {
        var act = () => new SoftGate(3, temperature: 0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("temperature");
    }

    [Fact]
    public void TopKGate_K2_KeepsTwoExpertsPerSample()
    {
        using var scope = NewDisposeScope();
        using var gate = new TopKGate(new SoftGate(5, width: 4), 2);
        gate.eval();

        var w = gate.call(rand(6, 3, 8, 8));

        (w > 0).sum(1).to(ScalarType.Int64).data<long>().ToArray().Should().OnlyContain(n => n == 2);
        w.sum(1).allclose(ones(6), atol: 1e-6).Should().BeTrue();
    }

    [Fact]
    public void TopKGate_KAboveExperts_ThrowsNamingK()
    {
        var act = () => new TopKGate(new SoftGate(3), 4);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("k");
    }
}
