using Dwf.Robustness.Experts;

namespace Dwf.Robustness.Persistence;

/// <summary>Everything needed to rebuild an expert's network before its weights are loaded.</summary>
/// <param name="Name">Display name.</param>
/// <param name="Kind">What it was trained for.</param>
/// <param name="Architecture">The network.</param>
/// <param name="NumClasses">Classes of its output.</param>
/// <param name="Width">Width multiplier.</param>
/// <param name="Mean">Input normalization means, one per channel.</param>
/// <param name="Std">Input normalization standard deviations.</param>
public sealed record ExpertManifest(
    string Name,
    ExpertKind Kind,
    ExpertArchitecture Architecture,
    int NumClasses,
    double Width,
    IReadOnlyList<double> Mean,
    IReadOnlyList<double> Std)
{
    /// <summary>Largest class count a manifest may ask for (a hostile file could otherwise ask for a giant head).</summary>
    public const int MaxClasses = 100_000;

    /// <summary>Describes <paramref name="expert"/>.</summary>
    /// <param name="expert">An expert whose module is one of the <see cref="ExpertArchitecture"/> networks.</param>
    /// <exception cref="NotSupportedException">The module is a custom network no manifest can rebuild.</exception>
    public static ExpertManifest Of(IExpert expert)
    {
        ArgumentNullException.ThrowIfNull(expert);
        return expert.Module switch
        {
            Experts.ResNet18 r => new ExpertManifest(expert.Name, expert.Kind, ExpertArchitecture.ResNet18, r.NumClasses, r.Width, r.Mean.ToArray(), r.Std.ToArray()),
            Experts.PreActResNet18 p => new ExpertManifest(expert.Name, expert.Kind, ExpertArchitecture.PreActResNet18, p.NumClasses, p.Width, p.Mean.ToArray(), p.Std.ToArray()),
            var m => throw new NotSupportedException(
                $"Expert '{expert.Name}' wraps a {m.GetType().Name}, which a manifest cannot rebuild (supported: {string.Join(", ", Enum.GetNames<ExpertArchitecture>())}). " +
                "Save its weights with ModelFile.Save and rebuild the module in your code before ModelFile.Load."),
        };
    }

    /// <summary>A new expert with this architecture and fresh weights.</summary>
    public Expert Build() => Architecture switch
    {
        ExpertArchitecture.ResNet18 => new Expert(new Experts.ResNet18(NumClasses, Width, Mean, Std), Name, NumClasses, Kind),
        ExpertArchitecture.PreActResNet18 => new Expert(new Experts.PreActResNet18(NumClasses, Width, Mean, Std), Name, NumClasses, Kind),
        _ => throw new InvalidDataException($"Unknown architecture {Architecture}."),
    };

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="file"/> and the entry <paramref name="at"/> when a value cannot be right.</summary>
    /// <param name="file">The manifest file, for the message.</param>
    /// <param name="at">The entry's path, e.g. <c>experts[2]</c>.</param>
    internal void Validate(string file, string at)
    {
        ManifestChecks.Require(!string.IsNullOrWhiteSpace(Name) && Name.Length <= 200, file, $"{at}.name", Name, "a non-empty name of at most 200 characters");
        ManifestChecks.Require(Enum.IsDefined(Kind), file, $"{at}.kind", Kind, $"one of {string.Join(", ", Enum.GetNames<ExpertKind>())}");
        ManifestChecks.Require(Enum.IsDefined(Architecture), file, $"{at}.architecture", Architecture, $"one of {string.Join(", ", Enum.GetNames<ExpertArchitecture>())}");
        ManifestChecks.Require(NumClasses is >= 2 and <= MaxClasses, file, $"{at}.numClasses", NumClasses, $"2 to {MaxClasses}");
        ManifestChecks.Require(Width > 0 && Width <= 16, file, $"{at}.width", Width, "in (0, 16]");
        ManifestChecks.Normalization(Mean, Std, 3, file, at);
    }
}
