using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Testing;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Evaluation.Running;

public class AttackPassTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    private const int BatchSize = 16;

    [Fact]
    public void Evaluate_CascadeSurvivors_AreAttackedInFullBatches()
    {
        var (report, between) = FgsmThenPgd(batchesPerBlock: 16); // one block: the 256 images' survivors are packed across the whole subset

        int total = f.TestSet.Count;
        int clean = report.CleanOutcomes!.ToArray().Count(c => c);
        int afterFgsm = report.Attacks[0].Correct;
        afterFgsm.Should().BeGreaterThan(BatchSize).And.BeLessThan(clean - BatchSize, "the test needs a cascade that drops whole batches");
        Batches(between, 0).Should().Be(Ceiling(total), "the clean pass reads every image");
        Batches(between, 1).Should().Be(Ceiling(clean), "FGSM attacks the clean-correct images, packed");
        Batches(between, 2).Should().Be(Ceiling(afterFgsm), "PGD attacks only what FGSM left, packed into full batches");
        between.Where(p => p.StageIndex == 2).Select(p => p.Done).Should().Equal(
            Enumerable.Range(1, Ceiling(afterFgsm)).Select(b => Math.Min(b * BatchSize, afterFgsm)));
        between.Where(p => p.StageIndex == 2).Should().OnlyContain(p => p.Total == afterFgsm);
    }

    [Fact]
    public void Evaluate_SurvivorsOfSeveralBlocks_ArePackedWithinEachBlock()
    {
        var (report, between) = FgsmThenPgd(batchesPerBlock: 2); // blocks of 32 images: 8 blocks

        var afterFgsm = report.Attacks[0].Outcomes!.ToArray();
        var perBlock = Enumerable.Range(0, 8).Select(k => afterFgsm.Skip(32 * k).Take(32).Count(c => c)).ToList();
        perBlock.Sum(Ceiling).Should().BeGreaterThan(Ceiling(perBlock.Sum()), "the test needs blocks whose survivors do not fill whole batches");
        Batches(between, 2).Should().Be(perBlock.Sum(Ceiling), "PGD packs each block's survivors into batches of that block");
    }

    /// <summary>A cascade FGSM → PGD in batches of <see cref="BatchSize"/>; the progress reports between batches.</summary>
    private (RobustnessReport Report, List<EvaluationProgress> Between) FgsmThenPgd(int batchesPerBlock)
    {
        var between = new List<EvaluationProgress>();
        var options = new EvaluationOptions
        {
            Plan = new EvaluationPlan("p", [new EvaluationStage("s", StageKind.Cascade,
                [new Fgsm(0.06), new Pgd(0.06, 0.015, steps: 3, randomStart: false)])]),
            BatchSize = BatchSize,
            BatchesPerBlock = batchesPerBlock,
            SanityChecks = false,
        };

        var report = new RobustnessEvaluator(options).Evaluate(f.Trained.Model, f.TestSet, "tiny",
            progress: new SyncProgress<EvaluationProgress>(p => { if (p.AttackSteps == 0) between.Add(p); }));
        return (report, between);
    }

    private static int Batches(List<EvaluationProgress> reports, int stage) => reports.Count(p => p.StageIndex == stage);

    private static int Ceiling(int images) => (images + BatchSize - 1) / BatchSize;
}
