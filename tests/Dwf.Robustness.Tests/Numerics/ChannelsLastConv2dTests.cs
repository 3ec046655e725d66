using Dwf.Robustness.Numerics;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Numerics;

public class ChannelsLastConv2dTests
{
    [Fact]
    public void Constructor_SameSeed_SameWeightsAsNnConv2d()
    {
        manual_seed(7);
        using var reference = nn.Conv2d(3, 6, 3, padding: 1);
        manual_seed(7);
        using var conv = new ChannelsLastConv2d(3, 6, 3, padding: 1);
        conv.weight.equal(reference.weight!).all().item<bool>().Should().BeTrue();
        conv.bias!.equal(reference.bias!).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void StateDict_WithAndWithoutBias_HasPyTorchKeys()
    {
        using var withBias = new ChannelsLastConv2d(3, 6, 3);
        using var without = new ChannelsLastConv2d(3, 6, 3, bias: false);
        withBias.state_dict().Keys.Should().Equal("weight", "bias");
        without.state_dict().Keys.Should().Equal("weight");
        without.bias.Should().BeNull();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forward_EitherLayout_EqualsConv2dInFloat64(bool channelsLastInput)
    {
        using var scope = NewDisposeScope();
        using var conv = new ChannelsLastConv2d(5, 6, 3, stride: 1, padding: 1);
        var x = rand(16, 5, 8, 8);
        var input = channelsLastInput ? ChannelsLastConv2d.ToChannelsLast(x) : x;
        var y = conv.call(input);
        var reference = nn.functional.conv2d(x.to(ScalarType.Float64), conv.weight.to(ScalarType.Float64), conv.bias!.to(ScalarType.Float64), padding: new long[] { 1 });
        ConvolutionCheck.RelativeError(y, reference).Should().BeLessThan(1e-5);
        y.shape.Should().Equal(16, 6, 8, 8);
    }

    [Fact]
    public void Forward_SixteenOutputChannels_IsChannelsLastSoTheNextLayerNeedsNoCopy()
    {
        using var scope = NewDisposeScope();
        using var conv = new ChannelsLastConv2d(3, 16, 3, padding: 1);
        ChannelsLastConv2d.IsChannelsLast(conv.call(rand(16, 3, 8, 8))).Should().BeTrue();
    }

    [Fact]
    public void IsChannelsLast_ContiguousAndRelaid_TellsThemApart()
    {
        using var scope = NewDisposeScope();
        var x = rand(2, 4, 5, 6);
        ChannelsLastConv2d.IsChannelsLast(x).Should().BeFalse();
        ChannelsLastConv2d.IsChannelsLast(ChannelsLastConv2d.ToChannelsLast(x)).Should().BeTrue();
    }

    [Theory]
    [InlineData(0, 4, 3, 1, 0)]
    [InlineData(3, 0, 3, 1, 0)]
    [InlineData(3, 4, 0, 1, 0)]
    [InlineData(3, 4, 3, 0, 0)]
    [InlineData(3, 4, 3, 1, -1)]
    public void Constructor_InvalidShape_ThrowsNamingTheValues(long inChannels, long outChannels, long kernel, long stride, long padding)
    {
        var create = () => new ChannelsLastConv2d(inChannels, outChannels, kernel, stride, padding);
        create.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"*inChannels {inChannels}, outChannels {outChannels}, kernelSize {kernel}, stride {stride}, padding {padding}*");
    }
}
