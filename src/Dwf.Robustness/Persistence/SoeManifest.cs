namespace Dwf.Robustness.Persistence;

/// <summary>Everything needed to rebuild a Synergy-of-Experts model (<c>Defenses.Soe.SynergyOfExperts</c>) before its weights are loaded.</summary>
/// <param name="Members">Member networks M.</param>
/// <param name="NumClasses">Classes K (each member has K + 1 outputs: the classes and its confidence).</param>
/// <param name="Architecture">Every member's network.</param>
/// <param name="Depth">A <see cref="SoeMemberArchitecture.CifarResNet"/>'s depth 6n + 2; 18 for <see cref="SoeMemberArchitecture.ResNet18"/>.</param>
/// <param name="Width">Every member's width multiplier.</param>
/// <param name="SurrogateTemperature">Temperature of the soft-selection surrogate the adaptive attacks use.</param>
/// <param name="Mean">Every member's input normalization means, one per channel.</param>
/// <param name="Std">Every member's input normalization standard deviations.</param>
public sealed record SoeManifest(
    int Members,
    int NumClasses,
    SoeMemberArchitecture Architecture,
    int Depth,
    double Width,
    double SurrogateTemperature,
    IReadOnlyList<double> Mean,
    IReadOnlyList<double> Std)
{
    /// <summary>Most members a manifest may ask for.</summary>
    public const int MaxMembers = 64;

    /// <summary>Deepest CIFAR ResNet a manifest may ask for (ResNet-1202, the deepest in its paper).</summary>
    public const int MaxDepth = 1202;

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="file"/> and the entry when a value cannot be right.</summary>
    /// <param name="file">The manifest file, for the message.</param>
    internal void Validate(string file)
    {
        ManifestChecks.Require(Members is >= 2 and <= MaxMembers, file, "soe.members", Members, $"2 to {MaxMembers}");
        ManifestChecks.Require(NumClasses is >= 2 and <= ExpertManifest.MaxClasses, file, "soe.numClasses", NumClasses, $"2 to {ExpertManifest.MaxClasses}");
        ManifestChecks.Require(Enum.IsDefined(Architecture), file, "soe.architecture", Architecture, $"one of {string.Join(", ", Enum.GetNames<SoeMemberArchitecture>())}");
        ManifestChecks.Require(
            Architecture == SoeMemberArchitecture.ResNet18 ? Depth == 18 : Depth is >= 8 and <= MaxDepth && (Depth - 2) % 6 == 0,
            file, "soe.depth", Depth, Architecture == SoeMemberArchitecture.ResNet18 ? "18 for ResNet-18 members" : $"6n + 2 from 8 to {MaxDepth}");
        ManifestChecks.Require(Width > 0 && Width <= 16, file, "soe.width", Width, "in (0, 16]");
        ManifestChecks.Require(SurrogateTemperature > 0 && double.IsFinite(SurrogateTemperature), file, "soe.surrogateTemperature", SurrogateTemperature, "a finite number > 0");
        ManifestChecks.Normalization(Mean, Std, 3, file, "soe");
    }
}
