using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Data;

/// <summary>How a <see cref="BatchLoader"/> cuts a dataset into batches.</summary>
public sealed record BatchLoaderOptions
{
    /// <summary>Images per batch. Default 128 (the usual CIFAR-10 choice; the paper does not state one).</summary>
    public int BatchSize { get; init; } = OurDefaults.BatchSize;

    /// <summary>Reshuffle every epoch. Default true.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Standard CIFAR augmentation: random 32×32 crop of the 4-pixel zero-padded image and random horizontal flip. Default true.</summary>
    public bool Augment { get; init; } = true;

    /// <summary>Zero padding, in pixels, for the random crop. Default 4.</summary>
    public int CropPadding { get; init; } = OurDefaults.CropPadding;

    /// <summary>Drop the last batch if smaller than <see cref="BatchSize"/>. Default false.</summary>
    public bool DropLast { get; init; }

    /// <summary>Seed of shuffling and augmentation; epoch <c>e</c> uses a generator derived from (seed, e). Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (BatchSize < 1)
        {
            throw new ArgumentException($"BatchSize must be at least 1; got {BatchSize}.", nameof(BatchSize));
        }

        if (CropPadding < 0)
        {
            throw new ArgumentException($"CropPadding must be 0 or more; got {CropPadding}.", nameof(CropPadding));
        }
    }
}
