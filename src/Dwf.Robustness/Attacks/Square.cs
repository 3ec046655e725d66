using System.Globalization;
using static TorchSharp.torch;
using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// Square Attack under L∞ or L2 (Andriushchenko, Croce, Flammarion and Hein, ECCV 2020): a score-based random search
/// that never asks for a gradient, so gradient masking cannot stop it. Under L∞ it starts from vertical stripes of ±ε
/// and then, per query, sets one random square window of each image (side shrinking on the reference schedule, from
/// √(0.8·H·W); by default not rescaled to the query budget, as AutoAttack configures it, <see cref="RescaleSchedule"/>) to a corner of the ε-ball with one random sign per channel, keeping the change when the margin
/// z_y − max_{j≠y} z_j drops; under L2 the start and the proposals are the paper's L2 ones
/// (<see cref="SquareSearch.L2SquareSearch"/>). An image leaves the search once misclassified.
/// </summary>
/// <remarks>
/// Differences from the reference code, both the original paper's per-image form: each image draws its own
/// window position and signs (the reference shares one draw across the batch), and the window may touch the last
/// row and column. The active set is compacted every <see cref="CompactEvery"/> queries (one host sync each),
/// not at every query.
/// </remarks>
public sealed class Square : AttackBase
{
    /// <summary>Queries between two compactions of the set of images still searched.</summary>
    public const int CompactEvery = 20;

    /// <summary>Creates the attack.</summary>
    /// <param name="epsilon">Budget in [0,1] units in the norm of <paramref name="threatModel"/>; default 8/255 (L∞).</param>
    /// <param name="queries">Forward passes per image, the first one for the initial stripes; default 5,000 (AutoAttack's).</param>
    /// <param name="initialFraction">p_init: the first windows cover this share of the image; default 0.8.</param>
    /// <param name="threatModel">L∞ (default) or L2 (AutoAttack's CIFAR-10 L2 budget is 0.5).</param>
    /// <param name="rescaleSchedule">Stretch the window schedule, written for 10,000 queries, over <paramref name="queries"/>
    /// (the Square paper's code default); false by default, as AutoAttack builds Square (<c>resc_schedule=False</c>): with
    /// 5,000 queries the windows then shrink on the 10,000-query schedule and stop at p_init/128.</param>
    public Square(double epsilon = PaperDefaults.PgdEpsilon, int queries = AutoAttackDefaults.SquareQueries, double initialFraction = AutoAttackDefaults.SquareInitialFraction,
        bool rescaleSchedule = AutoAttackDefaults.SquareRescaleSchedule, ThreatModel threatModel = ThreatModel.Linf)
        : base(epsilon, AttackLoss.CarliniWagnerMargin, targeted: false, threatModel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queries, 1);
        if (!(initialFraction > 0 && initialFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(initialFraction), initialFraction, "p_init must be in (0,1]; the reference uses 0.8.");
        }

        Queries = queries;
        InitialFraction = initialFraction;
        RescaleSchedule = rescaleSchedule;
    }

    /// <summary>Whether the window schedule is stretched over <see cref="Queries"/> (false: the reference's 10,000-query schedule as is, AutoAttack's setting).</summary>
    public bool RescaleSchedule { get; }

    /// <summary>Forward passes per image.</summary>
    public int Queries { get; }

    /// <summary>p_init.</summary>
    public double InitialFraction { get; }

    /// <inheritdoc />
    public override AttackDescriptor Descriptor =>
        new(AttackFamily.Square, ThreatModel, Epsilon, 0, 1, Loss, false, Queries: Queries);

    /// <inheritdoc />
    protected internal override IEnumerable<KeyValuePair<string, string>> Settings() =>
        base.Settings().Concat(
        [
            new("queries", Queries.ToString(CultureInfo.InvariantCulture)),
            new("initialFraction", AttackFingerprint.Exact(InitialFraction)),
            new("rescaleSchedule", RescaleSchedule ? "true" : "false"),
        ]);

    /// <summary>The share of the image a window covers at query <paramref name="iteration"/> (the reference's schedule; rescaled to the budget when <see cref="RescaleSchedule"/>).</summary>
    /// <param name="iteration">0-based query after the initial one.</param>
    /// <returns>p.</returns>
    public double WindowFraction(int iteration)
    {
        int it = RescaleSchedule ? (int)((double)iteration / Queries * 10000) : iteration;
        int divisor = it switch
        {
            <= 10 => 1,
            <= 50 => 2,
            <= 200 => 4,
            <= 500 => 8,
            <= 1000 => 16,
            <= 2000 => 32,
            <= 4000 => 64,
            <= 6000 => 128,
            <= 8000 => 256,
            _ => 512,
        };
        return InitialFraction / divisor;
    }

    /// <inheritdoc />
    protected override Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator) =>
        Attack(model, images, labels, generator, AttackSteps.None);

    /// <inheritdoc />
    protected override Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator, AttackSteps steps)
    {
        steps.Plan(Queries - 1);
        using var noGrad = no_grad();
        var search = SquareSearch.SquareSearch.For(ThreatModel);
        long h = images.shape[2], w = images.shape[3];
        var best = search.Start(images, Epsilon, generator);
        var margin = Margin(model, best, labels);

        Tensor? active = null;
        for (int i = 0; i < Queries - 1; i++)
        {
            steps.Next();
            using var query = NewDisposeScope();
            if (i % CompactEvery == 0)
            {
                active?.Dispose();
                active = margin.gt(0).nonzero().squeeze(1).MoveToOuterDisposeScope();
                if (active.shape[0] == 0)
                {
                    break;
                }
            }

            var x = images.index_select(0, active!);
            var current = best.index_select(0, active!);
            var candidate = search.Propose(x, current, Epsilon, search.Side(WindowFraction(i), h, w), generator);

            var candidateMargin = Margin(model, candidate, labels.index_select(0, active!));
            var currentMargin = margin.index_select(0, active!);
            var improved = candidateMargin.lt(currentMargin);
            best.index_copy_(0, active!, where(improved.view(-1, 1, 1, 1), candidate, current));
            margin.index_copy_(0, active!, where(improved, candidateMargin, currentMargin));
        }

        active?.Dispose();
        return best;
    }

    /// <summary>z_y − max_{j≠y} z_j: negative once misclassified.</summary>
    private static Tensor Margin(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels) =>
        -AttackObjectives.CarliniWagnerMargin(model.call(images), labels);
}
