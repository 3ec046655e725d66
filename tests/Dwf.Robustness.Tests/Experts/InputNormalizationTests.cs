using Dwf.Robustness.Experts;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Experts;

public class InputNormalizationTests
{
    [Fact]
    public void Forward_Images_SubtractsMeanDividesStdPerChannel()
    {
        using var scope = NewDisposeScope();
        using var norm = new InputNormalization([0.5, 0.25, 0.0], [0.5, 0.25, 2.0]);
        var x = rand(2, 3, 4, 4);

        var y = norm.call(x);

        y[.., 0].allclose((x[.., 0] - 0.5) / 0.5).Should().BeTrue();
        y[.., 1].allclose((x[.., 1] - 0.25) / 0.25).Should().BeTrue();
        y[.., 2].allclose(x[.., 2] / 2.0).Should().BeTrue();
    }

    [Fact]
    public void Forward_Uint8Images_ThrowsSayingHowToConvert()
    {
        using var scope = NewDisposeScope();
        using var norm = new InputNormalization();
        var x = randint(0, 256, [2, 3, 4, 4], dtype: ScalarType.Byte);

        var act = () => norm.call(x);

        act.Should().Throw<ArgumentException>().WithMessage("*Byte*images.to(ScalarType.Float32) / 255*");
    }

    [Fact]
    public void Constructor_ZeroStd_ThrowsNamingStd()
    {
        var act = () => new InputNormalization([0.5], [0.0]);
        act.Should().Throw<ArgumentException>().WithParameterName("std");
    }

    [Fact]
    public void Forward_WrongChannelCount_ThrowsWithShape()
    {
        using var scope = NewDisposeScope();
        using var norm = new InputNormalization();
        var act = () => norm.call(rand(1, 1, 4, 4));
        act.Should().Throw<ArgumentException>().WithMessage("*[B,3,H,W]*[1,1,4,4]*");
    }
}

public class InputNormalizationLayoutTests
{
    [Fact]
    public void Forward_ChannelsLastOnOrOff_SameValuesDifferentStrides()
    {
        using var scope = NewDisposeScope();
        using var last = new InputNormalization();
        using var first = new InputNormalization(channelsLast: false);
        var x = rand(2, 3, 5, 5);

        var a = last.call(x);
        var b = first.call(x);

        a.equal(b).all().item<bool>().Should().BeTrue();
        a.stride().Should().Equal(75, 1, 15, 3);
        b.stride().Should().Equal(75, 25, 5, 1);
    }
}
