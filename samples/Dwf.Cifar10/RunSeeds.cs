using Dwf.Robustness.Infrastructure;

namespace Dwf.Cifar10;

/// <summary>What a seed is for. Every random choice of a run derives from the run's seed, a purpose and an index.</summary>
public enum SeedPurpose
{
    /// <summary>An expert's initial weights (index: its position in the line-up).</summary>
    ExpertInit = 1,

    /// <summary>An expert's batch order and augmentation.</summary>
    ExpertLoader = 2,

    /// <summary>An expert's training attacks.</summary>
    ExpertAttacks = 3,

    /// <summary>The joint phase's batch order and augmentation (shared by DWF, the frozen mixture and the fine-tuned control: the same batches).</summary>
    JointLoader = 4,

    /// <summary>The joint phase's attacks and batch split.</summary>
    JointAttacks = 5,

    /// <summary>The gate's initial weights.</summary>
    GateInit = 6,

    /// <summary>The evaluation's random starts.</summary>
    Evaluation = 7,

    /// <summary>The validation attack that ranks the experts.</summary>
    Validation = 8,

    /// <summary>A baseline's initial weights (index: its position in <see cref="Compare.DefenseRecipes.All"/>).</summary>
    BaselineInit = 9,

    /// <summary>A baseline's batch order and augmentation.</summary>
    BaselineLoader = 10,

    /// <summary>A baseline's training attacks.</summary>
    BaselineAttacks = 11,

    /// <summary>A training replicate's run seed (index: the replicate; replicate 0 keeps the study's seed). See <see cref="Replicates"/>.</summary>
    Replicate = 12,
}

/// <summary>One seed scheme for the sample: <see cref="Seeds.DeriveInt64"/> of the run seed, the purpose and an index.</summary>
public static class RunSeeds
{
    /// <summary>The seed of <paramref name="purpose"/> (and <paramref name="index"/>) in the run seeded <paramref name="seed"/>.</summary>
    public static long For(long seed, SeedPurpose purpose, int index = 0) => Seeds.DeriveInt64(seed, (long)purpose, index);
}
