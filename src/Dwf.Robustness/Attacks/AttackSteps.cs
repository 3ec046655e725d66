namespace Dwf.Robustness.Attacks;

/// <summary>Progress of one <see cref="IAttack.Perturb(TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor, TorchSharp.torch.Tensor}, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, TorchSharp.torch.Generator?, CancellationToken, IProgress{AttackProgress}?)"/> call.</summary>
/// <param name="Done">Iterations (or queries) done, over all restarts and targets.</param>
/// <param name="Total">Iterations planned; an attack may stop early when every image is broken.</param>
public sealed record AttackProgress(long Done, long Total);

/// <summary>
/// The per-call step hook of a long attack: checks cancellation and reports progress once per iteration or query.
/// Checking a token is a field read, not a host synchronization, so this may sit inside a GPU step loop.
/// One instance per call; not thread-safe.
/// </summary>
public sealed class AttackSteps
{
    private readonly CancellationToken _token;
    private readonly IProgress<AttackProgress>? _progress;
    private long _done;
    private long _total;

    /// <summary>Creates the hook.</summary>
    /// <param name="cancellationToken">Checked at every step; throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="progress">Receives one report per step; may be null.</param>
    public AttackSteps(CancellationToken cancellationToken, IProgress<AttackProgress>? progress)
    {
        _token = cancellationToken;
        _progress = progress;
    }

    /// <summary>A hook that never cancels and reports nothing.</summary>
    public static AttackSteps None => new(CancellationToken.None, null);

    /// <summary>Adds <paramref name="steps"/> to the planned total (call before a run of steps).</summary>
    /// <param name="steps">Iterations or queries about to run.</param>
    public void Plan(long steps) => _total += Math.Max(0, steps);

    /// <summary>One step is about to run: throws when cancelled, then reports.</summary>
    public void Next()
    {
        _token.ThrowIfCancellationRequested();
        _done++;
        _progress?.Report(new AttackProgress(_done, Math.Max(_done, _total)));
    }
}
