using Dwf.Robustness.Experts;

namespace Dwf.Robustness.Persistence;

/// <summary>
/// How many values the model a manifest describes holds at least — every convolution's and linear layer's weights,
/// computed from the manifest alone, before anything is allocated — so that a manifest asking for more than its
/// weights file holds (a width of 16, a thousand experts, a gate 4,096 channels wide) is refused instead of
/// allocating gigabytes. Normalization layers and biases are left out, so the count never exceeds the real one
/// (checked against built models by <c>ManifestSizeTests</c>).
/// </summary>
internal static class ManifestSize
{
    /// <summary>A lower bound on the elements of the state dict of the model <paramref name="manifest"/> describes.</summary>
    public static long MinimumElements(ModelManifest manifest) =>
        manifest.Experts.Sum(e => ResNet18(e.NumClasses, e.Width, e.Architecture.ToString())) + (manifest.Gate is { } g ? Gate(g) : 0) +
        (manifest.Soe is { } soe ? soe.Members * Member(soe) : 0) +
        (manifest.AdvMoe is { } a ? ResNet18(a.NumClasses, a.Width * a.Ratio, "ADVMoE backbone") + CifarResNet(a.Experts, 20, a.RouterWidth) : 0);

    /// <summary>One SoE member: K + 1 outputs.</summary>
    private static long Member(SoeManifest soe) => soe.Architecture == SoeMemberArchitecture.ResNet18
        ? ResNet18(soe.NumClasses + 1, soe.Width, "SoE member")
        : CifarResNet(soe.NumClasses + 1, soe.Depth, soe.Width);

    /// <summary>A ResNet-18 or PreAct ResNet-18: the stem, four stages of two 3×3 blocks (a 1×1 shortcut where the shape changes), the classifier.</summary>
    private static long ResNet18(int numClasses, double width, string network)
    {
        long[] planes = ResNetWidth.Planes(numClasses, width, network);
        long sum = 3 * planes[0] * 9, inPlanes = planes[0];
        for (int stage = 0; stage < 4; stage++)
        {
            long p = planes[stage];
            bool shortcut = stage > 0 || inPlanes != p;
            sum += 9 * inPlanes * p + 9 * p * p + (shortcut ? inPlanes * p : 0); // first block
            sum += 2 * 9 * p * p;                                                 // second block
            inPlanes = p;
        }

        return sum + planes[3] * numClasses;
    }

    /// <summary>A CIFAR ResNet of depth 6n + 2: the stem, three stages of n two-convolution blocks (16/32/64 × width channels; shortcuts left out), the classifier.</summary>
    private static long CifarResNet(int numClasses, int depth, double width)
    {
        long[] planes = Experts.CifarResNet.Planes(numClasses, depth, width);
        long blocks = (depth - 2) / 6, sum = 3 * planes[0] * 9, inPlanes = planes[0];
        foreach (long p in planes)
        {
            sum += 9 * inPlanes * p + 9 * p * p + (blocks - 1) * 2 * 9 * p * p;
            inPlanes = p;
        }

        return sum + planes[2] * numClasses;
    }

    /// <summary>The gate's three 3×3 convolutions (width, 2·width, 4·width channels) and its scoring layer.</summary>
    private static long Gate(GateManifest g) =>
        9L * g.Channels * g.Width + 9L * g.Width * 2 * g.Width + 9L * 2 * g.Width * 4 * g.Width + 4L * g.Width * g.Experts;
}
