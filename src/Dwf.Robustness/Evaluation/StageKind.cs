namespace Dwf.Robustness.Evaluation;

/// <summary>How the attacks of an <see cref="EvaluationStage"/> share the images.</summary>
public enum StageKind
{
    /// <summary>Every attack runs on every image classified correctly when clean: one accuracy per attack (a curve).</summary>
    Sweep,

    /// <summary>
    /// Every attack runs only on the images no earlier attack of the stage broke (AutoAttack's rule); the accuracy
    /// recorded after each attack is the stage's cumulative robust accuracy.
    /// </summary>
    Cascade,
}
