using Dwf.Robustness.Experts;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Experts;

public class ResNet18Tests
{
    private static long Parameters(nn.Module module) => module.parameters().Sum(p => p.numel());

    [Fact]
    public void Constructor_Width1TenClasses_Has11173962Parameters()
    {
        using var model = new ResNet18(10, 1.0);
        Parameters(model).Should().Be(11_173_962);
    }

    [Fact]
    public void Constructor_QuarterWidth_HasChannels16To128()
    {
        using var model = new ResNet18(10, 0.25);
        var sd = model.state_dict();
        sd["conv1.weight"].shape.Should().Equal(16, 3, 3, 3);
        sd["layer4.1.conv2.weight"].shape.Should().Equal(128, 128, 3, 3);
        sd["linear.weight"].shape.Should().Equal(10, 128);
    }

    [Fact]
    public void StateDict_Keys_FollowPyTorchCifarResNetNames()
    {
        using var model = new ResNet18(10, 0.25);
        var keys = model.state_dict().Keys.ToList();

        keys.Should().Contain(["conv1.weight", "bn1.weight", "bn1.running_mean", "layer1.0.conv1.weight",
            "layer2.0.shortcut.0.weight", "layer2.0.shortcut.1.running_var", "layer4.1.bn2.bias", "linear.weight", "linear.bias"]);
        keys.Should().NotContain(k => k.Contains("normalize"), "normalization constants are not weights");
    }

    [Fact]
    public void Forward_Batch_ReturnsLogitsPerClass()
    {
        using var scope = NewDisposeScope();
        using var model = new ResNet18(7, 0.125);
        model.eval();
        model.call(rand(3, 3, 32, 32)).shape.Should().Equal(3, 7);
    }

    [Fact]
    public void Forward_Batch_LeaksNoTensors()
    {
        using var model = new ResNet18(10, 0.125);
        using var input = rand(2, 3, 32, 32);
        LeakCheck.AssertNoLeak(() => model.call(input).Dispose());
    }

    [Fact]
    public void Constructor_BadWidth_ThrowsNamingWidth()
    {
        var act = () => new ResNet18(10, 0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("width");
    }
}
