using Dwf.Robustness.Experts;
using Dwf.Robustness.Persistence;
using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Persistence;

public class ManifestSizeTests
{
    private static long Values(nn.Module m) => m.state_dict().Values.Sum(t => t.numel());

    [Theory]
    [InlineData(ExpertArchitecture.ResNet18, 0.125, 10)]
    [InlineData(ExpertArchitecture.ResNet18, 0.25, 10)]
    [InlineData(ExpertArchitecture.ResNet18, 1.0, 100)]
    [InlineData(ExpertArchitecture.PreActResNet18, 0.125, 10)]
    [InlineData(ExpertArchitecture.PreActResNet18, 0.5, 10)]
    public void MinimumElements_BuiltExpert_AtMostItsValuesAndWithinTwoPercent(ExpertArchitecture architecture, double width, int classes)
    {
        var manifest = new ExpertManifest("e", ExpertKind.Clean, architecture, classes, width, [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]);
        using var expert = manifest.Build().Module;
        long actual = Values(expert);

        long bound = ManifestSize.MinimumElements(new ModelManifest(ModelManifest.CurrentSchemaVersion, ModelKind.Expert, "t", [manifest], null, null));

        bound.Should().BeLessThanOrEqualTo(actual, "a lower bound may never refuse a real model");
        bound.Should().BeGreaterThan((long)(0.98 * actual), "the bound must be tight, or a manifest could still ask for much more than its file holds");
    }

    [Theory]
    [InlineData(3, 8)]
    [InlineData(9, 32)]
    public void MinimumElements_BuiltMixture_AtMostItsValues(int experts, int gateWidth)
    {
        var list = Enumerable.Range(0, experts).Select(i => (IExpert)new Expert(new ResNet18(10, 0.125), $"e{i}", 10)).ToList();
        using var mixture = new MixtureOfExperts(list, new SoftGate(experts, gateWidth));
        var manifest = ModelManifest.Of(mixture);

        long bound = ManifestSize.MinimumElements(manifest);

        bound.Should().BeLessThanOrEqualTo(Values(mixture)).And.BeGreaterThan((long)(0.97 * Values(mixture)));
    }

    [Theory]
    [InlineData(SoeMemberArchitecture.CifarResNet, 20, 0.5, 3)]
    [InlineData(SoeMemberArchitecture.CifarResNet, 32, 1.0, 2)]
    [InlineData(SoeMemberArchitecture.ResNet18, 18, 0.125, 2)]
    public void MinimumElements_BuiltSoe_AtMostItsValuesAndWithinTenPercent(SoeMemberArchitecture architecture, int depth, double width, int members)
    {
        using var soe = architecture == SoeMemberArchitecture.ResNet18
            ? Dwf.Robustness.Defenses.Soe.SynergyOfExperts.ResNet18(members, 10, width)
            : Dwf.Robustness.Defenses.Soe.SynergyOfExperts.ResNet20(members, 10, depth, width);
        var manifest = ModelManifest.Of(new SoeManifest(members, 10, architecture, depth, width, 1.0, [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]));

        long bound = ManifestSize.MinimumElements(manifest);

        bound.Should().BeLessThanOrEqualTo(Values(soe), "a lower bound may never refuse a real model")
            .And.BeGreaterThan((long)(0.9 * Values(soe)), "the bound must grow with the model, or a manifest could ask for much more than its file holds");
    }

    [Theory]
    [InlineData(2, 0.25, 0.5)]
    [InlineData(4, 0.5, 1.0)]
    public void MinimumElements_BuiltAdvMoe_AtMostItsValues(int experts, double width, double ratio)
    {
        using var model = new Dwf.Robustness.Defenses.AdvMoe.AdvMoeResNet18(10, experts, width, ratio);
        var manifest = ModelManifest.Of(new AdvMoeManifest(10, experts, width, ratio, 1.0));

        long bound = ManifestSize.MinimumElements(manifest);

        bound.Should().BeLessThanOrEqualTo(Values(model), "a lower bound may never refuse a real model")
            .And.BeGreaterThan(Values(model) / (2 * experts), "the bound holds at least the dense backbone an expert is cut from");
    }
}
