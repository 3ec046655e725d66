namespace Dwf.Robustness.Evaluation;

/// <summary>
/// What an evaluation warning is about, so that code can act on a kind of finding (fail a CI run on
/// <see cref="ZeroInputGradient"/>, accept <see cref="RandomizedModel"/> for a model known to randomize) without
/// matching message text. Written into reports by name; a new check is a new member.
/// </summary>
public enum WarningCode
{
    /// <summary>A warning read from a report written before warnings had codes.</summary>
    Unclassified,

    /// <summary>The outputs look like probabilities, not logits: gradients through them are weak.</summary>
    ProbabilitiesNotLogits,

    /// <summary>The same images twice gave different logits: the model is randomized.</summary>
    RandomizedModel,

    /// <summary>The model was in training mode and was evaluated in eval mode.</summary>
    ModelInTrainingMode,

    /// <summary>The model's input gradient disagreed with a finite-difference reference (<c>Numerics.InputGradientCheck</c>).</summary>
    InputGradientCheckFailed,

    /// <summary>The input gradient is exactly zero for a share of the images: gradient attacks cannot work there.</summary>
    ZeroInputGradient,

    /// <summary>Accuracy survives a budget large enough to destroy any image: a sign of gradient masking.</summary>
    LargeEpsilonAccuracy,

    /// <summary>The routing weights pass no input gradient for a share of the images.</summary>
    RoutingGradientZero,

    /// <summary>An iterative attack left a higher accuracy than FGSM at the same ε.</summary>
    IterativeWeakerThanFgsm,

    /// <summary>More PGD steps left a higher accuracy in a sweep.</summary>
    MoreStepsHigherAccuracy,

    /// <summary>Attacks around the routing (adaptive checks) were stronger than attacks through it.</summary>
    AdaptiveAttacksStronger,
}
