namespace Dwf.Robustness.Infrastructure;

/// <summary>Derives independent, reproducible seeds from a base seed and a path of integers (SplitMix64).</summary>
public static class Seeds
{
    /// <summary>Mixes <paramref name="seed"/> with <paramref name="parts"/> into a new 64-bit seed.</summary>
    /// <param name="seed">The base seed.</param>
    /// <param name="parts">For example (epoch) or (expert index, epoch).</param>
    /// <returns>A seed that differs for every distinct input, in practice.</returns>
    public static ulong Derive(long seed, params ReadOnlySpan<long> parts)
    {
        ulong x = Mix((ulong)seed);
        foreach (long p in parts)
        {
            x = Mix(x ^ Mix((ulong)p + 0x632BE59BD9B4E019UL));
        }

        return x;
    }

    /// <summary><see cref="Derive"/> as a non-negative <see cref="long"/>, for APIs that take a signed seed.</summary>
    /// <param name="seed">The base seed.</param>
    /// <param name="parts">Path components.</param>
    public static long DeriveInt64(long seed, params ReadOnlySpan<long> parts) => (long)(Derive(seed, parts) >> 1);

    /// <summary>A torch CPU generator seeded from <see cref="DeriveInt64"/>; the caller disposes it.</summary>
    /// <param name="seed">The base seed.</param>
    /// <param name="parts">Path components.</param>
    public static TorchSharp.torch.Generator Generator(long seed, params ReadOnlySpan<long> parts) =>
        new((ulong)DeriveInt64(seed, parts));

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
