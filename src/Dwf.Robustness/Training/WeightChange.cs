using static TorchSharp.torch;

namespace Dwf.Robustness.Training;

/// <summary>How far training moved a model: the relative L2 change of its parameters, ‖θ − θ₀‖ / ‖θ₀‖.</summary>
public static class WeightChange
{
    /// <summary>The relative change from <paramref name="reference"/> to <paramref name="changed"/> over all parameters (not buffers).</summary>
    /// <param name="reference">The model before (e.g. a pre-trained expert loaded from its file).</param>
    /// <param name="changed">The same architecture after training.</param>
    /// <returns>‖θ − θ₀‖₂ / ‖θ₀‖₂ over every parameter; 0 when nothing moved.</returns>
    /// <exception cref="ArgumentException">The two models do not have the same parameter names and shapes.</exception>
    public static double Relative(nn.Module reference, nn.Module changed)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(changed);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var before = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var after = changed.named_parameters().ToList();
        if (after.Count != before.Count || after.Any(p => !before.TryGetValue(p.name, out var b) || !b.shape.SequenceEqual(p.parameter.shape)))
        {
            throw new ArgumentException($"The models differ in their parameters ({before.Count} vs {after.Count}, or a name or shape); compare two models of one architecture.", nameof(changed));
        }

        double difference = 0, norm = 0;
        foreach (var (name, p) in after)
        {
            var b = before[name].to(p.device).to(ScalarType.Float64);
            difference += (p.to(ScalarType.Float64) - b).pow(2).sum().item<double>();
            norm += b.pow(2).sum().item<double>();
        }

        return norm == 0 ? (difference == 0 ? 0 : double.PositiveInfinity) : Math.Sqrt(difference / norm);
    }
}
