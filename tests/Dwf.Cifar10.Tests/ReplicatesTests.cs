namespace Dwf.Cifar10.Tests;

public class ReplicatesTests
{
    private static readonly RunConfig Config = Presets.Create("cpu-small", "/data", "/runs/study") with { Seed = 5 };

    [Fact]
    public void Expand_NoReplicateOption_ReturnsTheRunUnchanged()
    {
        Replicates.Expand(Config, null, null).Should().Equal(Config);
    }

    [Fact]
    public void Expand_ThreeReplicates_OwnFoldersIndicesAndSeedsReplicateZeroKeepsTheStudySeed()
    {
        var runs = Replicates.Expand(Config, null, 3);

        runs.Select(r => r.Replicate).Should().Equal(0, 1, 2);
        runs.Select(r => r.RunFolder).Should().Equal(
            Path.Combine("/runs/study", "replicate-0"), Path.Combine("/runs/study", "replicate-1"), Path.Combine("/runs/study", "replicate-2"));
        runs[0].Seed.Should().Be(5);
        runs.Select(r => r.Seed).Should().OnlyHaveUniqueItems();
        runs[2].Seed.Should().Be(RunSeeds.For(5, SeedPurpose.Replicate, 2));
    }

    [Fact]
    public void Expand_OneReplicate_SameSeedAsInTheSeries()
    {
        var alone = Replicates.Expand(Config, 2, null).Single();

        alone.Should().Be(Replicates.Expand(Config, null, 3)[2], "a replicate run as its own process is the one a series would train");
    }

    [Theory]
    [InlineData(1, 3, "*not both*")]
    [InlineData(-1, null, "*--replicate must be in 0*")]
    [InlineData(null, 0, "*--replicates must be in 1*")]
    [InlineData(null, 1000, "*--replicates must be in 1*")]
    public void Expand_BadOptions_ThrowsNamingTheFix(int? replicate, int? replicates, string message)
    {
        var act = () => Replicates.Expand(Config, replicate, replicates);

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Expand_ReplicateSetWithSet_Refused()
    {
        var act = () => Replicates.Expand(Config with { Replicate = 1 }, null, 2);

        act.Should().Throw<ArgumentException>().WithMessage("*--replicate or --replicates, not by --set*");
    }
}
