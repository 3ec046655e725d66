using System.Globalization;
using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Attacks;

/// <summary>The randomized attacks of "Divided We Fall" (arXiv 2512.20821), with the paper's parameter sets as defaults.</summary>
public static class PaperAttacks
{
    /// <summary>The paper's FGSM ε set for expert training: 0.01, 0.02, …, 0.09.</summary>
    public static IReadOnlyList<double> FgsmEpsilons => PaperDefaults.FgsmEpsilons;

    /// <summary>The paper's PGD iteration-count set for expert training: 10, 20, 30, 40, 50.</summary>
    public static IReadOnlyList<int> PgdSteps => PaperDefaults.PgdTrainingSteps;

    /// <summary>FGSM whose ε is drawn per batch from <paramref name="epsilons"/> (paper: <see cref="FgsmEpsilons"/>).</summary>
    /// <param name="epsilons">Candidate budgets in [0,1] units; the paper's set when null.</param>
    /// <returns>A randomized attack.</returns>
    public static RandomizedAttack RandomEpsilonFgsm(IEnumerable<double>? epsilons = null)
    {
        var set = (epsilons ?? FgsmEpsilons).ToArray();
        if (set.Length == 0)
        {
            throw new ArgumentException("The ε set is empty; give at least one budget, e.g. 0.03.", nameof(epsilons));
        }

        return new RandomizedAttack(set.Select(e => new Fgsm(e)), FormattableString.Invariant($"FGSM(ε∈{{{string.Join(", ", set.Select(e => e.ToString(CultureInfo.InvariantCulture)))}}})"));
    }

    /// <summary>
    /// PGD whose iteration count is drawn per batch from <paramref name="steps"/> (paper: <see cref="PgdSteps"/>).
    /// ε and step size are not given by the paper; ours default to 8/255 and 2/255 with a random start.
    /// </summary>
    /// <param name="steps">Candidate iteration counts; the paper's set when null.</param>
    /// <param name="epsilon">L∞ budget; 8/255 when null.</param>
    /// <param name="stepSize">Step α; 2/255 when null.</param>
    /// <returns>A randomized attack.</returns>
    public static RandomizedAttack RandomStepsPgd(IEnumerable<int>? steps = null, double? epsilon = null, double? stepSize = null)
    {
        var set = (steps ?? PgdSteps).ToArray();
        if (set.Length == 0)
        {
            throw new ArgumentException("The iteration-count set is empty; give at least one count, e.g. 10.", nameof(steps));
        }

        var template = new Pgd(epsilon ?? Epsilon.Cifar10Default, stepSize ?? Epsilon.Cifar10Step, keepBest: false);
        return new RandomizedAttack(set.Select(template.WithSteps), FormattableString.Invariant($"PGD(steps∈{{{string.Join(", ", set)}}}, ε={epsilon ?? Epsilon.Cifar10Default:0.####})"));
    }
}
