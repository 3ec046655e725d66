using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Cifar10.Tests;

/// <summary><c>evaluate --shard i/n</c> then <c>--merge-shards n</c> on the micro preset against one unsharded evaluation of the same run.</summary>
public class ShardedEvaluateTests
{
    // One clean expert and its one-expert mixture keep the training to seconds; 30 test images in batches of 10 and
    // blocks of one batch make 3 blocks; aa-rapid after the paper plan makes every shard continue from its own report.
    private static readonly string[] Settings =
    [
        "--set", "CleanExperts=1", "--set", "FgsmExperts=0", "--set", "PgdExperts=0", "--set", "Controls=false", "--set", "FrozenAblation=false",
        "--set", "EvalBatchSize=10", "--set", "EvalBatchesPerBlock=1", "--set", "EvalRapidOnSurvivors=true", "--set", "EvalPgdSteps=5", "--set", "EvalFgsmEpsilons=0.03",
    ];

    [Cifar10Fact]
    public async Task Evaluate_ThreeShardsMerged_SameReportsAsOneEvaluation()
    {
        string whole = Path.Combine(Path.GetTempPath(), "dwf-whole-" + Guid.NewGuid().ToString("N"));
        string sharded = Path.Combine(Path.GetTempPath(), "dwf-sharded-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] common = ["--preset", "micro", "--data", Cifar10FactAttribute.Path!];
            (await Cli.RunAsync(["reproduce", .. common, "--run", whole, .. Settings])).Should().Be(0);
            Copy(whole, sharded, skip: name => name.StartsWith("reports", StringComparison.Ordinal) || name.StartsWith("results", StringComparison.Ordinal));

            for (int i = 0; i < 3; i++)
            {
                (await Cli.RunAsync(["evaluate", .. common, "--run", sharded, "--shard", $"{i}/3", .. Settings])).Should().Be(0);
            }

            (await Cli.RunAsync(["evaluate", .. common, "--run", sharded, "--merge-shards", "2", .. Settings])).Should().Be(1, "two of three shards is a mistake, not a merge");
            (await Cli.RunAsync(["evaluate", .. common, "--run", sharded, "--merge-shards", "3", .. Settings])).Should().Be(0);

            var expected = Directory.GetFiles(whole, "*.json", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(Path.GetDirectoryName(f)!).StartsWith("reports", StringComparison.Ordinal)).ToList();
            expected.Select(f => Path.GetFileName(Path.GetDirectoryName(f)!)).Distinct().Should().BeEquivalentTo(["reports", "reports-aa-rapid"]);
            expected.Should().HaveCount(4, "dwf and clean-1 under both plans");
            foreach (string file in expected)
            {
                var a = ReportJson.Read(file);
                var b = ReportJson.Read(Path.Combine(sharded, Path.GetRelativePath(whole, file)));
                ReportJson.Serialize(Comparable(b)).Should().Be(ReportJson.Serialize(Comparable(a)), file);
                if (a.Gate is { } gate)
                {
                    b.Gate!.Clean.Should().Equal(gate.Clean, (x, y) => Math.Abs(x - y) < 1e-12);
                    b.Gate.Attacked.Should().Equal(gate.Attacked, (x, y) => Math.Abs(x - y) < 1e-12);
                }
            }

            File.Exists(new RunFolder(sharded).Results).Should().BeTrue("the merge is followed by the usual results");
        }
        finally
        {
            foreach (string dir in new[] { whole, sharded }.Where(Directory.Exists))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static RobustnessReport Comparable(RobustnessReport r) => r with { Seconds = 0, CreatedUtc = DateTimeOffset.UnixEpoch, Gate = null };

    private static void Copy(string from, string to, Func<string, bool> skip)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from).Where(f => !skip(Path.GetFileName(f))))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (string dir in Directory.GetDirectories(from).Where(d => !skip(Path.GetFileName(d))))
        {
            Copy(dir, Path.Combine(to, Path.GetFileName(dir)), skip);
        }
    }
}
