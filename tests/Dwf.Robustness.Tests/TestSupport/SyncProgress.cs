namespace Dwf.Robustness.Tests.TestSupport;

/// <summary>An <see cref="IProgress{T}"/> that runs its handler synchronously (System.Progress posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
