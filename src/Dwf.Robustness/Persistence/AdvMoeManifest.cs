namespace Dwf.Robustness.Persistence;

/// <summary>Everything needed to rebuild an ADVMoE network (<c>Defenses.AdvMoe.AdvMoeResNet18</c>) before its weights are loaded.</summary>
/// <param name="NumClasses">Classes K.</param>
/// <param name="Experts">Channel groups per MoE layer.</param>
/// <param name="Width">Width multiplier of the dense ResNet-18 the experts are cut from.</param>
/// <param name="Ratio">An expert's share of the dense width, in (0, 1].</param>
/// <param name="RouterWidth">Width multiplier of the ResNet-20 router.</param>
/// <param name="Mean">Input normalization means, one per channel; absent in manifests written before it was recorded, which were CIFAR-10's.</param>
/// <param name="Std">Input normalization standard deviations; absent as <paramref name="Mean"/>.</param>
public sealed record AdvMoeManifest(int NumClasses, int Experts, double Width, double Ratio, double RouterWidth,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<double>? Mean = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<double>? Std = null)
{
    /// <summary>Most channel groups a manifest may ask for.</summary>
    public const int MaxExperts = 64;

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="file"/> and the entry when a value cannot be right.</summary>
    /// <param name="file">The manifest file, for the message.</param>
    internal void Validate(string file)
    {
        ManifestChecks.Require(NumClasses is >= 2 and <= ExpertManifest.MaxClasses, file, "advMoe.numClasses", NumClasses, $"2 to {ExpertManifest.MaxClasses}");
        ManifestChecks.Require(Experts is >= 2 and <= MaxExperts, file, "advMoe.experts", Experts, $"2 to {MaxExperts}");
        ManifestChecks.Require(Width > 0 && Width <= 16, file, "advMoe.width", Width, "in (0, 16]");
        ManifestChecks.Require(Ratio > 0 && Ratio <= 1, file, "advMoe.ratio", Ratio, "in (0, 1]");
        ManifestChecks.Require(Width * Ratio <= 16, file, "advMoe.ratio", Ratio, "at most 16 / width (an expert's width multiplier is width × ratio)");
        ManifestChecks.Require(RouterWidth > 0 && RouterWidth <= 16, file, "advMoe.routerWidth", RouterWidth, "in (0, 16]");
        ManifestChecks.Require((Mean is null) == (Std is null), file, Mean is null ? "advMoe.mean" : "advMoe.std", null, "present with advMoe." + (Mean is null ? "std" : "mean") + " (or both absent: CIFAR-10's)");
        if (Mean is not null)
        {
            ManifestChecks.Normalization(Mean, Std, 3, file, "advMoe");
        }
    }
}
