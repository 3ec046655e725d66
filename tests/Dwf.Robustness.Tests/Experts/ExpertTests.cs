using Dwf.Robustness.Experts;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Experts;

public class ExpertTests
{
    [Fact]
    public void Constructor_UserModule_WrapsItWithMetadata()
    {
        using var module = new TinyCnn(classes: 4);
        var expert = new Expert(module, "mine", 4, ExpertKind.Custom);

        expert.Module.Should().BeSameAs(module);
        expert.Name.Should().Be("mine");
        expert.NumClasses.Should().Be(4);
        expert.Kind.Should().Be(ExpertKind.Custom);
    }

    [Fact]
    public void Constructor_EmptyName_Throws()
    {
        using var module = new TinyCnn();
        var act = () => new Expert(module, " ", 4);
        act.Should().Throw<ArgumentException>().WithParameterName("name");
    }

    [Fact]
    public void ResNet18_Factory_BuildsResNetExpert()
    {
        var expert = Expert.ResNet18("pgd-1", ExpertKind.Pgd, width: 0.125);
        expert.Module.Should().BeOfType<ResNet18>();
        expert.Kind.Should().Be(ExpertKind.Pgd);
        expert.Module.Dispose();
    }
}
