namespace Dwf.Robustness.Testing;

/// <summary>A clock that never moves: every elapsed time is zero and "now" is <paramref name="now"/>. Pass it to
/// <c>RobustnessEvaluator</c> to get reports whose times, and so whose JSON, tests can compare.</summary>
/// <param name="now">The instant <see cref="GetUtcNow"/> returns.</param>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => now;

    /// <inheritdoc />
    public override long GetTimestamp() => 0;
}
