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
