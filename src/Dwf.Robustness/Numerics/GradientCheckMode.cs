namespace Dwf.Robustness.Numerics;

/// <summary>What the evaluator and the trainers do with <see cref="InputGradientCheck"/> before they use a model.</summary>
public enum GradientCheckMode
{
    /// <summary>Run the check once per model and throw <see cref="InputGradientException"/> when it fails (the default).</summary>
    Fail,

    /// <summary>Run the check once per model and log a warning (and, in an evaluation, add it to the report's warnings) when it fails.</summary>
    Warn,

    /// <summary>Do not run the check.</summary>
    Off,
}
