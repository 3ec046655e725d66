namespace Dwf.Robustness.Evaluation;

/// <summary>Mean gate weight per expert of a mixture, on clean and on attacked inputs.</summary>
/// <param name="Experts">Expert names, in gate order.</param>
/// <param name="Clean">Mean weight per expert over the clean test images.</param>
/// <param name="Attacked">Mean weight per expert over the adversarial images of <paramref name="AttackedBy"/>.</param>
/// <param name="AttackedBy">The attack whose adversarial images were used (the strongest PGD of the sweep).</param>
public sealed record GateReport(IReadOnlyList<string> Experts, IReadOnlyList<double> Clean, IReadOnlyList<double> Attacked, string AttackedBy);
