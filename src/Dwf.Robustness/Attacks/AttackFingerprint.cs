using System.Globalization;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// The canonical, culture-invariant description of an attack that checkpoint fingerprints compare: the attack's
/// type and every setting at full (round-trip) precision, unlike <see cref="IAttack.Name"/>, which rounds ε to four
/// decimals and leaves settings out. An attack of the library's base supplies its settings through
/// <see cref="AttackBase.Settings"/>; a randomized attack lists its choices; any other <see cref="IAttack"/> is
/// identified by its type and <see cref="IAttack.Name"/>, so a custom attack should put every setting in its name.
/// </summary>
internal static class AttackFingerprint
{
    public static string Of(IAttack? attack) => attack switch
    {
        null => "none",
        RandomizedAttack r => $"Random[{string.Join(" | ", r.Choices.Select(Of))}]",
        AttackBase a => $"{a.GetType().Name}({string.Join(", ", a.Settings().Select(s => $"{s.Key}={s.Value}"))})",
        _ => $"{attack.GetType().FullName}({attack.Name})",
    };

    /// <summary>A double at round-trip precision, culture-invariant.</summary>
    public static string Exact(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
