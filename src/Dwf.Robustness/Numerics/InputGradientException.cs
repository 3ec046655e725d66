namespace Dwf.Robustness.Numerics;

/// <summary>The installed libtorch computes a model's input gradients wrongly on this machine (<see cref="InputGradientCheck"/>).</summary>
public sealed class InputGradientException : InvalidOperationException
{
    /// <summary>Creates the exception from a failed check.</summary>
    /// <param name="result">The check.</param>
    public InputGradientException(InputGradientCheckResult result)
        : base(result?.Describe())
    {
        ArgumentNullException.ThrowIfNull(result);
        Result = result;
    }

    /// <summary>The check that failed.</summary>
    public InputGradientCheckResult Result { get; }
}
