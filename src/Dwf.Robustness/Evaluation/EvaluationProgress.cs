namespace Dwf.Robustness.Evaluation;

/// <summary>Progress of an evaluation: one report per batch of every stage, and one per step inside an iterative attack.</summary>
/// <param name="Stage">e.g. <c>clean</c>, an attack name, or <c>sanity</c>.</param>
/// <param name="StageIndex">Zero-based stage number.</param>
/// <param name="Stages">Number of stages.</param>
/// <param name="Done">Images done in this stage.</param>
/// <param name="Total">Images in this stage.</param>
/// <param name="AttackStep">Inside an attack on the current batch: its step so far; 0 between batches.</param>
/// <param name="AttackSteps">The attack's planned steps on the current batch; 0 between batches.</param>
public sealed record EvaluationProgress(string Stage, int StageIndex, int Stages, int Done, int Total, long AttackStep = 0, long AttackSteps = 0);
