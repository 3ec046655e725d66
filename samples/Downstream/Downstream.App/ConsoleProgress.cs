using Dwf.Robustness.Training;

namespace Downstream.App;

/// <summary>Prints one line per finished epoch, on the training thread (<see cref="Progress{T}"/> would post to the
/// thread pool, so its lines could appear after the next phase's).</summary>
public sealed class ConsoleProgress : IProgress<TrainingProgress>
{
    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        if (value.CompletedEpoch is { } done)
        {
            Console.WriteLine($"  {done.Phase} epoch {done.Epoch}/{done.Epochs}: loss {done.Loss:F3}, clean {done.CleanAccuracy:P1}, adversarial {done.AdversarialAccuracy:P1}, {done.Seconds:F1} s");
        }
    }
}
