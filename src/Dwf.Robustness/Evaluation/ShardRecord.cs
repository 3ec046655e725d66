namespace Dwf.Robustness.Evaluation;

/// <summary>
/// What a shard's report (<see cref="EvaluationOptions.Shard"/>) records beyond its own images' results, so that
/// <see cref="ShardedEvaluation.Merge"/> can rebuild the unsharded report from the shards' reports alone.
/// </summary>
/// <param name="Index">0-based shard index.</param>
/// <param name="Count">Number of shards.</param>
/// <param name="FirstImage">Index of the shard's first image in the whole test subset.</param>
/// <param name="TotalImages">Images of the whole test subset.</param>
/// <param name="SubsetDescription">The whole subset's description (the report's <c>Dataset</c> names the shard).</param>
/// <param name="Labels">The shard's labels, in order (per-class accuracies of the merged report).</param>
/// <param name="GateCleanSums">For a mixture: the gate's weights summed over the shard's clean images; else empty.</param>
/// <param name="GateAttackedSums">For a mixture: the gate's weights summed over the shard's adversarial images of the gate's attack run; else empty.</param>
/// <param name="GateAttackedImages">Images those sums cover.</param>
/// <param name="ImageWarnings">Warnings of the checks on the shard's first images and the model (the report's other warnings come from the results, which the merge checks again).</param>
/// <param name="LateImageWarnings">Warnings of the checks that ran on the shard's first images after the clean pass.</param>
/// <param name="SanityChecks">Whether the sanity checks ran (the merge then checks the merged results again).</param>
public sealed record ShardRecord(
    int Index,
    int Count,
    int FirstImage,
    int TotalImages,
    string SubsetDescription,
    IReadOnlyList<int> Labels,
    IReadOnlyList<double> GateCleanSums,
    IReadOnlyList<double> GateAttackedSums,
    long GateAttackedImages,
    IReadOnlyList<EvaluationWarning> ImageWarnings,
    IReadOnlyList<EvaluationWarning> LateImageWarnings,
    bool SanityChecks);
