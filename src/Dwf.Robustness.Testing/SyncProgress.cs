namespace Dwf.Robustness.Testing;

/// <summary>An <see cref="IProgress{T}"/> that runs its handler synchronously, on the reporting thread (<see cref="Progress{T}"/> posts to the thread pool, so a test would race it).</summary>
/// <typeparam name="T">The progress type.</typeparam>
/// <param name="handler">Called for every report.</param>
public sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => handler(value);
}
