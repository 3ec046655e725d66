namespace Dwf.Robustness.Evaluation;

/// <summary>Accuracy under one attack. Images misclassified when clean count as failures (the attack is not run on them).</summary>
/// <param name="Attack">The attack's name, e.g. <c>PGD-20(ε=0.0314, α=0.0078)</c>.</param>
/// <param name="Family"><c>FGSM</c> or <c>PGD</c>.</param>
/// <param name="Epsilon">L∞ budget in [0,1] units.</param>
/// <param name="Steps">Iterations (1 for FGSM).</param>
/// <param name="Accuracy">Correct / total.</param>
/// <param name="Correct">Images still classified correctly.</param>
/// <param name="Total">Images evaluated.</param>
public sealed record AttackResult(string Attack, string Family, double Epsilon, int Steps, double Accuracy, int Correct, int Total);
