namespace Dwf.Robustness.Attacks;

/// <summary>A model whose input gradients are averaged over several passes (<see cref="ExpectationOverTransformation"/>); <see cref="LossAndGradient.Compute"/> reads it.</summary>
internal interface IGradientSamples
{
    /// <summary>Forward/backward passes averaged per gradient; 1 for a deterministic model.</summary>
    int GradientSamples { get; }
}
