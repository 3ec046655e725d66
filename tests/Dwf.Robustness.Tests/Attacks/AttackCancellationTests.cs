using Dwf.Robustness.Attacks;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks;

/// <summary>Long attacks stop inside their step loop when cancelled, and report every step.</summary>
public class AttackCancellationTests(TrainedModelFixture f) : IClassFixture<TrainedModelFixture>
{
    private sealed class CancelAt(long step, CancellationTokenSource source) : IProgress<AttackProgress>
    {
        public List<AttackProgress> Seen { get; } = [];

        public void Report(AttackProgress value)
        {
            Seen.Add(value);
            if (value.Done == step)
            {
                source.Cancel();
            }
        }
    }

    public static TheoryData<string> Iterative => new() { "pgd", "pgd-restarts", "apgd-ce", "apgd-t", "square" };

    [Theory]
    [MemberData(nameof(Iterative))]
    public void Perturb_CancelledAtStepTwo_ThrowsWithinOneStepAndRestoresMode(string name)
    {
        var attack = AttackCatalog.Create(name);
        using var source = new CancellationTokenSource();
        var progress = new CancelAt(2, source);
        f.Model.train();
        try
        {
            using (var scope = NewDisposeScope())
            {
                var act = () => attack.Perturb(f.Model, f.TestImages.narrow(0, 0, 32), f.TestLabels.narrow(0, 0, 32), null, source.Token, progress);
                act.Should().Throw<OperationCanceledException>();
            }

            progress.Seen.Should().HaveCount(2, "the token is checked before every step");
            progress.Seen[0].Total.Should().BeGreaterThan(2);
            f.Model.training.Should().BeTrue("the model's mode is restored when the attack is cancelled");
        }
        finally
        {
            f.Model.eval();
        }

        LeakCheck.AssertNoLeak(() =>
        {
            using var again = new CancellationTokenSource();
            using var scope = NewDisposeScope();
            try
            {
                attack.Perturb(f.Model, f.TestImages.narrow(0, 0, 32), f.TestLabels.narrow(0, 0, 32), null, again.Token, new CancelAt(2, again));
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    [Fact]
    public void Perturb_ApgdTargeted_ReportsEveryPlannedStep()
    {
        var attack = Apgd.TargetedDlr(0.05, targetClasses: 2, steps: 4);
        var progress = new CancelAt(-1, new CancellationTokenSource());
        using var scope = NewDisposeScope();

        attack.Perturb(f.Model, f.TestImages.narrow(0, 0, 32), f.TestLabels.narrow(0, 0, 32), null, CancellationToken.None, progress);

        progress.Seen.Should().NotBeEmpty();
        progress.Seen[0].Total.Should().Be(8, "2 targets × 4 steps");
        progress.Seen.Select(p => p.Done).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        progress.Seen[^1].Done.Should().BeLessThanOrEqualTo(8, "a target round is skipped once every image is broken");
    }
}
