using System.Collections;
using System.Globalization;
using System.Reflection;
using Dwf.Robustness.Attacks;

namespace Dwf.Robustness.Training;

/// <summary>
/// The canonical fingerprint of an options record: every public property, recursively, as a path → value entry
/// (<c>options.Optimizer.LearningRate</c> → <c>0.1</c>) except those marked <see cref="NotFingerprintedAttribute"/>, doubles at round-trip precision, culture-invariant, attacks by
/// <see cref="AttackFingerprint"/> (their type and every setting). Built by reflection, so a setting added to an
/// options record later is part of every checkpoint's fingerprint without anyone remembering to add it, and a resume
/// with any changed setting is refused with that setting's path.
/// </summary>
internal static class OptionsFingerprint
{
    /// <summary>The entries of <paramref name="options"/> under <paramref name="prefix"/>.</summary>
    public static Dictionary<string, string> Of(object options, string prefix)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(entries, prefix, options, depth: 0);
        return entries;
    }

    private static void Add(Dictionary<string, string> into, string path, object? value, int depth)
    {
        if (Scalar(value) is { } text)
        {
            into[path] = text;
            return;
        }

        if (depth > 8)
        {
            throw new InvalidOperationException($"Options nest deeper than 8 levels at '{path}'; a fingerprint cannot describe them.");
        }

        foreach (var property in value!.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null && p.GetCustomAttribute<NotFingerprintedAttribute>() is null)
                     .OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            Add(into, path.Length == 0 ? property.Name : $"{path}.{property.Name}", property.GetValue(value), depth + 1);
        }
    }

    /// <summary>A leaf value's canonical text, or null for an object whose properties are to be listed.</summary>
    private static string? Scalar(object? value) => value switch
    {
        null => "null",
        IAttack attack => AttackFingerprint.Of(attack),
        string s => s,
        double d => AttackFingerprint.Exact(d),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Enum e => e.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(item => Scalar(item) ?? item!.ToString())) + "]",
        _ => null,
    };
}
