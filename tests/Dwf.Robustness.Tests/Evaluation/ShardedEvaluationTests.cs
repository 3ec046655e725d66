using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Testing;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Evaluation;

public class ShardedEvaluationTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    private static readonly DateTimeOffset Fixed = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    // 256 test images in batches of 32, blocks of 2 batches: 4 blocks. Random starts (PGD, APGD) and a cascade whose
    // survivors are packed: a shard that seeded or packed differently from the whole run would change outcomes.
    private static EvaluationOptions Options(bool sanity = false) => EvaluationFixture.SweepAndCascade with { SanityChecks = sanity };

    private RobustnessReport Evaluate(nn.Module<Tensor, Tensor> model, EvaluationOptions options, EvaluationShard? shard, string name = "tiny") =>
        new RobustnessEvaluator(options with { Shard = shard }, timeProvider: new FixedTimeProvider(Fixed)).Evaluate(model, f.TestSet, name);

    private List<RobustnessReport> Shards(nn.Module<Tensor, Tensor> model, EvaluationOptions options, int count, string name = "tiny") =>
        Enumerable.Range(0, count).Select(i => Evaluate(model, options, new EvaluationShard(i, count), name)).ToList();

    [Theory]
    [InlineData(2)]
    [InlineData(3)] // blocks 0 | 1 | 2–3: uneven shards
    public void Merge_ShardsOfOneEvaluation_EqualTheUnshardedReport(int count)
    {
        var whole = Evaluate(f.Trained.Model, Options(), null);

        var merged = ShardedEvaluation.Merge(Shards(f.Trained.Model, Options(), count));

        ReportJson.Serialize(merged).Should().Be(ReportJson.Serialize(whole));
        whole.Attacks.Should().Contain(a => a.Correct > 0 && a.Correct < whole.CleanOutcomes!.ToArray().Count(c => c),
            "the attacks must decide some images each way for the comparison to mean anything");
    }

    [Fact]
    public void Merge_ShardsWithSanityChecks_SameWarningsAndNumbers()
    {
        RobustnessReport whole, merged;
        f.Trained.Model.train(); // a finding every shard makes: evaluated in eval mode, but handed over in training mode
        try
        {
            whole = Evaluate(f.Trained.Model, Options(sanity: true), null);
            merged = ShardedEvaluation.Merge(Shards(f.Trained.Model, Options(sanity: true), 2));
        }
        finally
        {
            f.Trained.Model.eval();
        }

        ReportJson.Serialize(merged with { Warnings = whole.Warnings }).Should().Be(ReportJson.Serialize(whole));
        merged.Warnings.Take(whole.Warnings.Count).Should().Equal(whole.Warnings, "the first shard sees the unsharded run's first images");
        merged.Warnings.Skip(whole.Warnings.Count).All(w => w.Message.StartsWith("shard ", StringComparison.Ordinal)).Should().BeTrue("another shard's own findings are marked with it");
        whole.Warnings.Should().NotBeEmpty("the warnings are compared, not two empty lists");
    }

    [Fact]
    public void Merge_MixtureShards_EqualTheUnshardedReportGateWithinRounding()
    {
        using var moe = TinyMixture.Create(experts: 3);
        var options = Options() with { AdaptiveMixtureChecks = true };
        var whole = Evaluate(moe, options, null, "moe");

        var merged = ShardedEvaluation.Merge(Shards(moe, options, 2, "moe"));

        whole.Attacks.Should().Contain(a => a.Surrogate != null, "the adaptive attacks run per shard too");
        ReportJson.Serialize(merged with { Gate = null }).Should().Be(ReportJson.Serialize(whole with { Gate = null }));
        merged.Gate!.Experts.Should().Equal(whole.Gate!.Experts);
        merged.Gate.AttackedBy.Should().Be(whole.Gate.AttackedBy);
        merged.Gate.Clean.Should().Equal(whole.Gate.Clean, (a, b) => Math.Abs(a - b) < 1e-12);
        merged.Gate.Attacked.Should().Equal(whole.Gate.Attacked, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Evaluate_ShardsAfterAnEarlierReport_MergeEqualsTheUnshardedContinuation()
    {
        var first = new EvaluationOptions { FgsmEpsilons = [0.05], PgdEpsilons = [], BatchSize = 32, BatchesPerBlock = 2, SanityChecks = false };
        var earlier = Evaluate(f.Trained.Model, first, null);
        var earlierShards = Shards(f.Trained.Model, first, 2);
        var then = Options() with { Plan = new EvaluationPlan("then", [new EvaluationStage("c", StageKind.Cascade, [new Apgd(0.05, steps: 4)])]) };
        var whole = Evaluate(f.Trained.Model, then with { After = earlier }, null);

        var fromWhole = ShardedEvaluation.Merge(Enumerable.Range(0, 2).Select(i => Evaluate(f.Trained.Model, then with { After = earlier }, new EvaluationShard(i, 2))).ToList());
        var fromShards = ShardedEvaluation.Merge(Enumerable.Range(0, 2).Select(i => Evaluate(f.Trained.Model, then with { After = earlierShards[i] }, new EvaluationShard(i, 2))).ToList());

        ReportJson.Serialize(fromWhole).Should().Be(ReportJson.Serialize(whole));
        ReportJson.Serialize(fromShards).Should().Be(ReportJson.Serialize(whole));
    }

    [Fact]
    public void Evaluate_AfterAnotherShardsReport_Refused()
    {
        var first = new EvaluationOptions { FgsmEpsilons = [0.05], PgdEpsilons = [], BatchSize = 32, BatchesPerBlock = 2, SanityChecks = false };
        var shard0 = Evaluate(f.Trained.Model, first, new EvaluationShard(0, 2));

        var act = () => Evaluate(f.Trained.Model, first with { After = shard0 }, new EvaluationShard(1, 2));

        act.Should().Throw<ArgumentException>().WithMessage("*other data*same shard*");
    }

    [Fact]
    public void Merge_MissingShard_ThrowsNamingTheShards()
    {
        var shards = Shards(f.Trained.Model, Options(), 3);

        var act = () => ShardedEvaluation.Merge([shards[0], shards[2]]);

        act.Should().Throw<ArgumentException>().WithMessage("*shards 0 … 2 of 3*got 0/3, 2/3*");
    }

    [Fact]
    public void Merge_ShardsOfDifferentSeeds_ThrowsNamingTheSettings()
    {
        var a = Evaluate(f.Trained.Model, Options(), new EvaluationShard(0, 2));
        var b = Evaluate(f.Trained.Model, Options() with { Seed = 6 }, new EvaluationShard(1, 2));

        var act = () => ShardedEvaluation.Merge([a, b]);

        act.Should().Throw<ArgumentException>().WithMessage("*Shard 1/2 differs from shard 0/2 in its settings*");
    }

    [Fact]
    public void Merge_ShardWithLabelOutsideTheClasses_ThrowsNamingTheShard()
    {
        var shards = Shards(f.Trained.Model, Options(), 2);
        var damaged = shards[1] with { Shard = shards[1].Shard! with { Labels = [.. shards[1].Shard!.Labels.Skip(1), 7] } };

        var act = () => ShardedEvaluation.Merge([shards[0], damaged]);

        act.Should().Throw<ArgumentException>().WithMessage("*Shard 1/2 records label 7, outside the 4 classes*");
    }

    [Fact]
    public void Merge_UnshardedReport_Refused()
    {
        var whole = Evaluate(f.Trained.Model, Options(), null);

        var act = () => ShardedEvaluation.Merge([whole]);

        act.Should().Throw<ArgumentException>().WithMessage("*not a shard's*");
    }

    [Fact]
    public void Evaluate_MoreShardsThanBlocks_ThrowsNamingTheBlocks()
    {
        var act = () => Evaluate(f.Trained.Model, Options(), new EvaluationShard(4, 5));

        act.Should().Throw<ArgumentException>().WithMessage("*Shard 4/5 needs at least 5 blocks*256 test images make 4 of 64*");
    }

    [Fact]
    public void Evaluate_Shard_ReportRecordsItsImages()
    {
        var report = Evaluate(f.Trained.Model, Options(), new EvaluationShard(1, 2));

        report.Samples.Should().Be(128);
        report.Shard!.FirstImage.Should().Be(128);
        report.Shard.TotalImages.Should().Be(256);
        report.Shard.Labels.Should().Equal(f.TestSet.Labels.data<long>().Skip(128).Select(l => (int)l));
        report.Dataset.Should().EndWith("shard 1/2 (images 129–256 of 256)");
        ReportJson.Deserialize(ReportJson.Serialize(report)).Should().Be(report);
    }

    [Fact]
    public void Serialize_UnshardedReport_HasNoShardField()
    {
        var report = Evaluate(f.Trained.Model, Options(), null);

        ReportJson.Serialize(report).Should().NotContain("\"shard\"");
    }

    [Theory]
    [InlineData("0/4", 0, 4)]
    [InlineData("3/4", 3, 4)]
    public void Parse_IndexOverCount_Parsed(string text, int index, int count) =>
        EvaluationShard.Parse(text).Should().Be(new EvaluationShard(index, count));

    [Theory]
    [InlineData("4/4")]
    [InlineData("-1/4")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("1/0")]
    public void Parse_Invalid_ThrowsWithTheForm(string text) =>
        FluentActions.Invoking(() => EvaluationShard.Parse(text)).Should().Throw<ArgumentException>().WithMessage("*i/n*");
}
