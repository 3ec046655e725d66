namespace Dwf.Robustness.Training;

/// <summary>
/// Marks an options property that does not change what training computes (a check, a diagnostic), so
/// <see cref="OptionsFingerprint"/> leaves it out and checkpoints written before it existed still resume.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
internal sealed class NotFingerprintedAttribute : Attribute;
