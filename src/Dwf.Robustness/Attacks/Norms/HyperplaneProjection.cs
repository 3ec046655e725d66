using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks.Norms;

/// <summary>
/// The smallest step d (in a norm) that moves points t onto a hyperplane w·x = b while t + d stays in the box
/// [0,1]ⁿ: FAB's projection (Croce and Hein, ICML 2020). In L∞ and L2 the optimum has the form "move every coordinate
/// towards the hyperplane by λ-dependent amounts, each capped by the box", so the reached w·d is
/// g(λ) = Σᵢ vᵢ·min(λ, βᵢ) with a slope vᵢ and a saturation point βᵢ per coordinate — L∞: vᵢ = |wᵢ|, βᵢ = the room
/// to the box; L2: vᵢ = wᵢ², βᵢ = room/|wᵢ| — and λ solves g(λ) = |b − w·t| exactly on the sorted saturation points.
/// When even the whole box cannot reach the hyperplane, every coordinate moves to its bound (the closest point the box
/// allows). Computed in float64, returned in the points' dtype.
/// </summary>
internal static class HyperplaneProjection
{
    /// <summary>The step d [B,n] for points <paramref name="t"/> [B,n], normals <paramref name="w"/> [B,n] and offsets <paramref name="b"/> [B].</summary>
    public static Tensor Step(ThreatModel norm, Tensor t, Tensor w, Tensor b)
    {
        using var scope = NewDisposeScope();
        var t64 = t.to(ScalarType.Float64);
        var gap = b.to(ScalarType.Float64) - (w.to(ScalarType.Float64) * t64).sum(1);
        // Orient the normal so that the hyperplane lies in the direction of increasing w·x: gap ≥ 0.
        var orientation = (gap.ge(0).to(ScalarType.Float64) * 2 - 1).unsqueeze(1);
        var v = w.to(ScalarType.Float64) * orientation;
        var room = where(v.gt(0), 1 - t64, t64).clamp_min(0); // how far each coordinate may move in its useful direction
        var direction = v.sign();
        var magnitude = v.abs();
        var (slope, saturation) = norm switch
        {
            ThreatModel.Linf => (magnitude, room * magnitude.gt(0)),
            ThreatModel.L2 => (magnitude.square(), room / magnitude.clamp_min(1e-300) * magnitude.gt(0)),
            _ => throw new ArgumentOutOfRangeException(nameof(norm), norm, "No hyperplane projection for this norm."),
        };
        var lambda = Solve(slope, saturation, gap.abs());
        var amount = norm == ThreatModel.Linf ? minimum(lambda, saturation) : minimum(lambda * magnitude, room);
        return (direction * amount).to(t.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>Per row, λ ≥ 0 with Σᵢ slopeᵢ·min(λ, saturationᵢ) = target, or the largest saturation point when the target is out of reach. [B,1].</summary>
    internal static Tensor Solve(Tensor slope, Tensor saturation, Tensor target)
    {
        var (sorted, order) = saturation.sort(1);
        var v = slope.gather(1, order);
        var before = (v * sorted).cumsum(1) - v * sorted;                  // Σ_{j<k} v_j β_j
        var after = v.flip(1).cumsum(1).flip(1);                           // Σ_{j≥k} v_j
        var reached = before + sorted * after;                             // g(β_(k))
        var enough = reached.ge(target.unsqueeze(1));
        var any = enough.any(1, keepdim: true);
        var k = enough.to(ScalarType.Int64).argmax(1, keepdim: true);      // first breakpoint where g reaches the target
        var lambda = (target.unsqueeze(1) - before.gather(1, k)) / after.gather(1, k).clamp_min(1e-300);
        return where(any, lambda.clamp_min(0), sorted.narrow(1, sorted.shape[1] - 1, 1));
    }
}
