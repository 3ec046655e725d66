using Dwf.Cifar10.Aggregate;
using Dwf.Cifar10.Commands;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Cifar10.Tests.Aggregate;

/// <summary><c>reproduce --replicates</c> on the real archive (DWF_CIFAR10) with a one-expert line-up, then <c>aggregate</c>.</summary>
public class ReplicatesEndToEndTests
{
    private static string? Data => Cifar10FactAttribute.Path;

    private static string[] Args(string run, params string[] more) =>
    [
        "reproduce", "--preset", "micro", "--data", Data!, "--run", run,
        "--set", "CleanExperts=0", "--set", "FgsmExperts=0", "--set", "PgdExperts=1", "--set", "WideControl=true",
        "--set", "EvalRapidOnSurvivors=true", "--set", "EvalPerClass=2", "--set", "EvalSkipPerClass=998", .. more,
    ];

    [Cifar10Fact]
    public async Task Reproduce_TwoReplicatesThenAggregate_DecidesEveryClaimOverBoth()
    {
        string root = Path.Combine(Path.GetTempPath(), "dwf-replicates-" + Guid.NewGuid().ToString("N"));
        string study = Path.Combine(root, "study"), alone = Path.Combine(root, "no-curve");
        try
        {
            (await Cli.RunAsync(Args(study, "--replicates", "2", "--set", "ControlValidationPoints=2"))).Should().Be(0);
            (await Cli.RunAsync(Args(alone, "--replicate", "1"))).Should().Be(0);

            var claims = AggregateCommand.Run([study], null, "t");

            claims.Select(c => c.Rival).Should().Equal(StudyRoles.Claims);
            claims.Should().OnlyContain(c => c.PerReplicate.Count == 2 && c.Effect.Replicates == 2 && c.Effect.Images == 20);
            var read = Study.Read(study, 8.0 / 255);
            read.Replicates.Select(r => r.Seed).Should().OnlyHaveUniqueItems();
            read.Replicates.Should().OnlyContain(r => r.Roles.Values.All(m => m.WithRapid) && r.Dataset.Contains("images 999–1000 of each class", StringComparison.Ordinal));
            read.Replicates.Should().OnlyContain(r => r.Curves.ContainsKey(StudyRole.EqualCompute) && r.Curves.ContainsKey(StudyRole.Wide));
            File.ReadAllText(Path.Combine(root, "aggregate.md")).Should().Contain("## Claims").And.Contain("Overfitting check");

            // Recording the validation curve does not change training: replicate 1 trained without it has the same weights.
            string Weights(string folder) => new RunFolder(Path.Combine(folder, "replicate-1")).ControlWeights(Pipeline.EqualComputeControl);
            File.ReadAllBytes(Weights(alone)).Should().Equal(File.ReadAllBytes(Weights(study)));
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
