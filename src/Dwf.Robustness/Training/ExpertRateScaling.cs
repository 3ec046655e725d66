namespace Dwf.Robustness.Training;

/// <summary>How the joint phase sets each expert's learning rate.</summary>
/// <remarks>
/// In a logit mixture z = Σ wᵢ·zᵢ the loss gradient reaching expert i is wᵢ·∂L/∂z: an expert the gate weighs at
/// w̄ᵢ = 1/9 moves a ninth as far per step as it would alone, and one the gate nearly ignores does not move at all.
/// </remarks>
public enum ExpertRateScaling
{
    /// <summary>Every expert gets <see cref="JointTrainingOptions.Experts"/>' scheduled rate.</summary>
    None,

    /// <summary>
    /// Expert i's rate is the scheduled rate × min(cap, 1 / w̄ᵢ), w̄ᵢ its mean gate weight over the previous epoch
    /// (1/E for the first epoch), cap <see cref="JointTrainingOptions.MaxExpertRateScale"/>: its step is then about
    /// the step it would take alone on its share of the batch. Ours; the paper does not say.
    /// </summary>
    InverseGateWeight,
}
