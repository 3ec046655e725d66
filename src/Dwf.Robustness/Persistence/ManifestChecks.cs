using System.Globalization;

namespace Dwf.Robustness.Persistence;

/// <summary>The checks a manifest read from disk must pass before anything is allocated from it.</summary>
internal static class ManifestChecks
{
    public static void Require(bool ok, string file, string entry, object? value, string expected)
    {
        if (!ok)
        {
            throw new InvalidDataException(
                $"'{file}': entry '{entry}' is {Format(value)}; it must be {expected}. The manifest is damaged or was not written by Dwf.Robustness; nothing was built.");
        }
    }

    public static void Normalization(IReadOnlyList<double>? mean, IReadOnlyList<double>? std, int channels, string file, string at)
    {
        Require(mean is not null && mean.Count == channels && mean.All(double.IsFinite), file, $"{at}.mean", mean, $"{channels} finite numbers");
        Require(std is not null && std.Count == channels && std.All(s => s > 0 && double.IsFinite(s)), file, $"{at}.std", std, $"{channels} finite numbers > 0");
    }

    private static string Format(object? value) => value switch
    {
        null => "missing",
        IEnumerable<double> list => "[" + string.Join(", ", list.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => $"'{value}'",
    };
}
