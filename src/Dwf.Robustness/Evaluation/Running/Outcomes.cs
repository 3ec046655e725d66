using static TorchSharp.torch;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// The per-image outcomes of one evaluation, held once as bool tensors [N] on the model's device (true = still
/// classified correctly): the clean pass and every finished attack run. Which images an attack run attacks is computed
/// here, from the runs before it, and read back to the host once per run.
/// </summary>
internal sealed class Outcomes : IDisposable
{
    private readonly List<Tensor> _units = [];
    private readonly IReadOnlyList<EvaluationUnit> _plan;
    private readonly Tensor[]? _after;

    /// <param name="plan">Every attack run of the evaluation, in order.</param>
    /// <param name="after">Per run, the images an earlier report left robust at its ε (<see cref="EvaluationOptions.After"/>), or null.</param>
    /// <param name="device">The model's device.</param>
    public Outcomes(IReadOnlyList<EvaluationUnit> plan, bool[][]? after, Device device)
    {
        _plan = plan;
        Device = device;
        var decoded = new Dictionary<bool[], Tensor>(ReferenceEqualityComparer.Instance);
        _after = after?.Select(a => decoded.TryGetValue(a, out var t) ? t : decoded[a] = FromHost(a)).ToArray();
    }

    public Device Device { get; }

    public Tensor? Clean { get; private set; }

    public int Finished => _units.Count;

    public Tensor this[int unit] => _units[unit];

    /// <summary>A new bool tensor on <see cref="Device"/>, in no dispose scope: the caller owns it.</summary>
    public Tensor FromHost(bool[] values)
    {
        using var scope = NewDisposeScope();
        return tensor(values).to(Device).DetachFromDisposeScope();
    }

    public static bool[] ToHost(Tensor outcomes)
    {
        using var scope = NewDisposeScope();
        return outcomes.cpu().data<bool>().ToArray();
    }

    public void SetClean(bool[] clean) => Clean = FromHost(clean);

    public void Add(Tensor finished) => _units.Add(finished.DetachFromDisposeScope());

    /// <summary>
    /// The images run <paramref name="u"/> attacks: clean-correct for a sweep; still robust in its cascade stage; still
    /// robust at its ε for an adaptive check; and of those, only the ones the earlier report leaves robust, when given.
    /// </summary>
    public int[] Eligible(int u)
    {
        using var scope = NewDisposeScope();
        var own = OwnEligible(u);
        var eligible = _after is null ? own : own.logical_and(_after[u]);
        return eligible.nonzero().flatten().cpu().data<long>().Select(i => (int)i).ToArray();
    }

    private Tensor OwnEligible(int u)
    {
        var unit = _plan[u];
        var clean = Clean ?? throw new InvalidOperationException("The clean pass has not run.");
        if (unit.Kind == StageKind.Sweep)
        {
            return clean;
        }

        if (unit.IsAdaptive)
        {
            double e = unit.Attack.Descriptor.Epsilon;
            var robust = clean.clone();
            for (int i = 0; i < u; i++)
            {
                if (Attacks.Epsilon.SameBudget(_plan[i].Attack.Descriptor.Epsilon, e))
                {
                    robust.logical_and_(_units[i]);
                }
            }

            return robust;
        }

        for (int i = u - 1; i >= 0; i--)
        {
            if (_plan[i].Stage == unit.Stage)
            {
                return _units[i]; // a cascade's previous attack: only images still robust
            }
        }

        return clean;
    }

    public void Dispose()
    {
        // Runs of one ε share one survivors tensor: each distinct tensor is disposed once (by reference; Tensor.Equals
        // compares values and needs live handles).
        var owned = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var t in _units.Concat(_after ?? []).Append(Clean))
        {
            if (t is not null && owned.Add(t))
            {
                t.Dispose();
            }
        }
    }
}
