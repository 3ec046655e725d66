using System.Globalization;

namespace Dwf.Cifar10;

/// <summary>
/// Training replicates: the same configuration and data trained again from another seed, each in its own run folder
/// (<c>&lt;run&gt;/replicate-&lt;r&gt;</c>) so that replicates can run one after another in one process
/// (<c>--replicates K</c>) or as separate processes on one study folder (<c>--replicate r</c>). Replicate 0 keeps the
/// run's seed; replicate r &gt; 0 trains from <see cref="RunSeeds.For"/>(seed, <see cref="SeedPurpose.Replicate"/>, r).
/// </summary>
public static class Replicates
{
    /// <summary>The largest replicate count or index accepted (a typo such as 1000 would otherwise queue days of work).</summary>
    public const int Max = 100;

    /// <summary>The folder name of replicate <paramref name="index"/> inside a study folder.</summary>
    public static string FolderName(int index) => "replicate-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The seed replicate <paramref name="index"/> of a study seeded <paramref name="seed"/> trains from.</summary>
    public static long Seed(long seed, int index) => index == 0 ? seed : RunSeeds.For(seed, SeedPurpose.Replicate, index);

    /// <summary>
    /// The configurations to run: <paramref name="config"/> itself without replicate options, else one per replicate
    /// (its folder under <paramref name="config"/>'s, its seed, its index recorded in config.json).
    /// </summary>
    public static IReadOnlyList<RunConfig> Expand(RunConfig config, int? replicate, int? replicates)
    {
        if (replicate is not null && replicates is not null)
        {
            throw new ArgumentException($"Give --replicate {replicate} (one replicate) or --replicates {replicates} (replicates 0…{replicates - 1}), not both.");
        }

        if (replicate is < 0 or >= Max)
        {
            throw new ArgumentException($"--replicate must be in 0…{Max - 1}; got {replicate}.");
        }

        if (replicates is < 1 or > Max)
        {
            throw new ArgumentException($"--replicates must be in 1…{Max}; got {replicates}.");
        }

        if (config.Replicate is not null)
        {
            throw new ArgumentException("Replicate is set by --replicate or --replicates, not by --set.");
        }

        IEnumerable<int> indices = replicate is { } r ? [r] : replicates is { } k ? Enumerable.Range(0, k) : [];
        var expanded = indices.Select(i => config with
        {
            Replicate = i,
            Seed = Seed(config.Seed, i),
            RunFolder = Path.Combine(config.RunFolder, FolderName(i)),
        }).ToList();
        return expanded.Count > 0 ? expanded : [config];
    }
}
