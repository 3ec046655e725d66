namespace Dwf.Robustness.Evaluation;

/// <summary>Elapsed time from a <see cref="TimeProvider"/>, with the two members the evaluation uses of a stopwatch.</summary>
internal sealed class Clock(TimeProvider time)
{
    private long _start = time.GetTimestamp();

    public TimeSpan Elapsed => time.GetElapsedTime(_start);

    public void Restart() => _start = time.GetTimestamp();
}
