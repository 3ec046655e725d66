using Dwf.Robustness.Experts;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Experts;

public class ArchitectureTests
{
    [Fact]
    public void ResNet18_BlockFactory_BuildsEveryBlockWithStageShapes()
    {
        using var scope = NewDisposeScope();
        var calls = new List<(long In, long Out, long Stride)>();

        using var net = new ResNet18(10, width: 0.125, block: (i, o, s) =>
        {
            calls.Add((i, o, s));
            return new BasicBlock(i, o, s);
        });

        calls.Should().Equal((8, 8, 1), (8, 8, 1), (8, 16, 2), (16, 16, 1), (16, 32, 2), (32, 32, 1), (32, 64, 2), (64, 64, 1));
        net.eval();
        using var noGrad = no_grad();
        net.call(rand(2, 3, 32, 32)).shape.Should().Equal(2, 10);
    }

    [Fact]
    public void CifarResNet_Depth20_ParameterCountAndOutputShape()
    {
        using var scope = NewDisposeScope();
        using var net = new CifarResNet(10, depth: 20);
        net.eval();
        using var noGrad = no_grad();

        net.parameters().Sum(p => p.numel()).Should().Be(272_474, "ResNet-20 with 1×1 projection shortcuts (option B)");
        net.call(rand(2, 3, 32, 32)).shape.Should().Equal(2, 10);
    }

    [Theory]
    [InlineData(19)]
    [InlineData(2)]
    public void CifarResNet_DepthNotSixNPlusTwo_Refused(int depth)
    {
        var act = () => new CifarResNet(10, depth);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*6n + 2*");
    }
}
