using System.Globalization;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Which part of the test subset one process evaluates (<see cref="EvaluationOptions.Shard"/>): the subset is cut into
/// blocks of <see cref="EvaluationOptions.BatchesPerBlock"/> batches, and shard <see cref="Index"/> of
/// <see cref="Count"/> takes a contiguous run of whole blocks. Every block is attacked on its own (its images packed
/// into batches within it, each batch seeded by its position in the whole subset), so the shards' reports, merged with
/// <see cref="ShardedEvaluation.Merge"/>, have the per-image outcomes of the unsharded evaluation.
/// </summary>
/// <param name="Index">0-based shard index, in [0, <paramref name="Count"/>).</param>
/// <param name="Count">Number of shards, ≥ 1.</param>
public sealed record EvaluationShard(int Index, int Count)
{
    /// <summary>Parses <c>i/n</c> (0-based <c>i</c>), e.g. <c>2/8</c>.</summary>
    /// <param name="text">The shard as <c>i/n</c>.</param>
    /// <exception cref="ArgumentException">Not of that form, or <c>i</c> outside [0, n).</exception>
    public static EvaluationShard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index) ||
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            throw new ArgumentException($"A shard is written i/n with 0 ≤ i < n, e.g. 0/4 for the first of four; got '{text}'.", nameof(text));
        }

        var shard = new EvaluationShard(index, count);
        shard.Validate();
        return shard;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless 0 ≤ <see cref="Index"/> &lt; <see cref="Count"/>.</summary>
    public void Validate()
    {
        if (Count < 1 || Index < 0 || Index >= Count)
        {
            throw new ArgumentException($"A shard is i/n with 0 ≤ i < n; got {Index}/{Count}. Shards are numbered from 0: 0/4, 1/4, 2/4, 3/4.", "Shard");
        }
    }

    /// <summary>The blocks [first, end) of <paramref name="blocks"/> this shard takes (contiguous, as even as whole blocks allow).</summary>
    /// <param name="blocks">Blocks of the whole subset, ≥ <see cref="Count"/>.</param>
    internal (int First, int End) Blocks(int blocks) => ((int)((long)Index * blocks / Count), (int)((long)(Index + 1) * blocks / Count));

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
