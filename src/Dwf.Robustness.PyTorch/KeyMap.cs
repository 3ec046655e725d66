namespace Dwf.Robustness.PyTorch;

/// <summary>
/// How the keys of a PyTorch state dict become this library's: prefixes stripped (<c>module.</c> from DataParallel,
/// <c>model.</c> from wrappers), name parts renamed (torchvision's <c>fc</c> and <c>downsample</c> are this
/// project's <c>linear</c> and <c>shortcut</c>), entries dropped (RobustBench models carry their normalization as
/// <c>mu</c>/<c>sigma</c> buffers; here it lives in a non-persistent layer), and BatchNorm's
/// <c>num_batches_tracked</c> counters allowed to be missing (older PyTorch did not save them). Immutable.
/// </summary>
public sealed record KeyMap
{
    /// <summary>Prefixes removed from the start of every key, each at most once, in order; default <c>module.</c>, <c>model.</c>.</summary>
    public IReadOnlyList<string> StripPrefixes { get; init; } = ["module.", "model."];

    /// <summary>Dot-separated name parts replaced wherever they occur (e.g. <c>fc</c> → <c>linear</c>); default none.</summary>
    public IReadOnlyDictionary<string, string> RenameParts { get; init; } = new Dictionary<string, string>();

    /// <summary>Keys (after prefix stripping) left out of loading; default none.</summary>
    public IReadOnlyList<string> Drop { get; init; } = [];

    /// <summary>Whether the module's <c>num_batches_tracked</c> entries may be missing from the file (they are then left as they are); default true.</summary>
    public bool AllowMissingBatchCounters { get; init; } = true;

    /// <summary>Prefix stripping only: checkpoints of this library's own architectures saved from PyTorch.</summary>
    public static KeyMap Default { get; } = new();

    /// <summary>torchvision-style names: <c>fc</c> → <c>linear</c>, <c>downsample</c> → <c>shortcut</c>.</summary>
    public static KeyMap Torchvision { get; } = new() { RenameParts = new Dictionary<string, string> { ["fc"] = "linear", ["downsample"] = "shortcut" } };

    /// <summary>RobustBench-style checkpoints: prefixes stripped, the <c>mu</c>/<c>sigma</c> normalization buffers dropped.</summary>
    public static KeyMap RobustBench { get; } = new() { Drop = ["mu", "sigma", "normalize.mean", "normalize.std"] };

    /// <summary>The library's key for the file's <paramref name="key"/>, or null when it is dropped.</summary>
    /// <param name="key">A key as stored in the file.</param>
    public string? Map(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (var prefix in StripPrefixes)
        {
            if (prefix.Length > 0 && key.StartsWith(prefix, StringComparison.Ordinal))
            {
                key = key[prefix.Length..];
            }
        }

        if (Drop.Contains(key))
        {
            return null;
        }

        return RenameParts.Count == 0 ? key : string.Join('.', key.Split('.').Select(p => RenameParts.TryGetValue(p, out var to) ? to : p));
    }
}
