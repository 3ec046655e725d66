using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.AdvMoe;

/// <summary>
/// The route every <see cref="MoeConv2d"/> of one network reads during a forward pass: the network sets it from its
/// router before running the backbone and clears it after. Per thread, so several threads may run one model at once
/// (the attack contract).
/// </summary>
internal sealed class MoeRoutingContext : IDisposable
{
    private readonly ThreadLocal<Tensor?> _gate = new();

    /// <summary>The straight-through one-hot route [B,E] of the pass running on this thread.</summary>
    public Tensor Gate => _gate.Value ?? throw new InvalidOperationException(
        "An MoE convolution ran outside its network's forward pass; call the AdvMoeResNet18, which sets the route from its router first.");

    /// <summary>Sets the route for the duration of one pass on this thread.</summary>
    /// <param name="gate">[B,E] straight-through one-hot.</param>
    /// <returns>Restores the previous route when disposed.</returns>
    public IDisposable Enter(Tensor gate)
    {
        var previous = _gate.Value;
        _gate.Value = gate;
        return new Restore(this, previous);
    }

    public void Dispose() => _gate.Dispose();

    private sealed class Restore(MoeRoutingContext context, Tensor? previous) : IDisposable
    {
        public void Dispose() => context._gate.Value = previous;
    }
}
