using Dwf.Robustness.Infrastructure;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Dwf.Robustness.PyTorch;

/// <summary>
/// PyTorch weights in and out of a library module (an expert, a gate or a whole mixture): state-dict pickles
/// (<c>.pt</c>/<c>.pth</c>) and safetensors. Loading lists every key, dtype and shape of the file, maps the keys
/// (<see cref="KeyMap"/>), compares them with the module and refuses any difference — all of them in one message —
/// before a single tensor is read, so nothing is half-loaded and no size a file claims is ever allocated unless the
/// module has a tensor of exactly that shape. Saving is atomic.
/// </summary>
public static class PyTorchWeights
{
    /// <summary>The format of <paramref name="path"/> by its extension: <c>.safetensors</c> is safetensors, anything else a pickle.</summary>
    /// <param name="path">A weight file name.</param>
    public static WeightFormat FormatOf(string path) =>
        string.Equals(Path.GetExtension(path), ".safetensors", StringComparison.OrdinalIgnoreCase) ? WeightFormat.Safetensors : WeightFormat.Pickle;

    /// <summary>Every tensor the file lists (names as stored, before any key map), without reading their data.</summary>
    /// <param name="path">A <c>.pt</c>/<c>.pth</c> or <c>.safetensors</c> file.</param>
    public static IReadOnlyList<TensorEntry> List(string path)
    {
        using var stream = Open(path);
        return FormatOf(path) == WeightFormat.Safetensors
            ? SafetensorsFile.ReadHeader(stream, path, out _).Values.Select(l => l.Entry).OrderBy(e => e.Name, StringComparer.Ordinal).ToList()
            : PickleStateDict.ReadHeader(stream, path).Values.Select(d => d.Entry).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Loads the PyTorch weights at <paramref name="path"/> into <paramref name="module"/>.</summary>
    /// <param name="module">The target; it keeps its device.</param>
    /// <param name="path">A <c>.pt</c>/<c>.pth</c> state dict or a <c>.safetensors</c> file.</param>
    /// <param name="map">How the file's keys become the module's; <see cref="KeyMap.Default"/> when null.</param>
    /// <exception cref="FileNotFoundException">No file.</exception>
    /// <exception cref="InvalidDataException">Not a state dict, damaged, or not matching the module (every difference listed); the module is unchanged.</exception>
    public static void Load(nn.Module module, string path, KeyMap? map = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        map ??= KeyMap.Default;
        using var scope = NewDisposeScope();
        using var stream = Open(path);
        var target = module.state_dict();
        bool safetensors = FormatOf(path) == WeightFormat.Safetensors;
        long dataStart = 0;
        var listed = safetensors
            ? SafetensorsFile.ReadHeader(stream, path, out dataStart).ToDictionary(kv => kv.Key, kv => (kv.Value.Entry, (object)kv.Value, kv.Value.Begin))
            : PickleStateDict.ReadHeader(stream, path).ToDictionary(kv => kv.Key, kv => (kv.Value.Entry, (object)kv.Value, (long)kv.Value.ArchiveIndex));

        var mapped = new Dictionary<string, (TensorEntry Entry, object Source, long Order)>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (key, value) in listed)
        {
            if (map.Map(key) is not { } name)
            {
                continue;
            }

            if (!mapped.TryAdd(name, value))
            {
                problems.Add($"'{key}' maps to '{name}', which another entry maps to as well");
            }
        }

        foreach (var (name, (entry, _, _)) in mapped.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!target.TryGetValue(name, out var t))
            {
                problems.Add($"unexpected '{entry.Name}'{(entry.Name != name ? $" (as '{name}')" : "")} {entry.DType} {entry.ShapeText}");
            }
            else if (t.dtype != entry.DType || !t.shape.SequenceEqual(entry.Shape))
            {
                problems.Add($"'{name}': file has {entry.DType} {entry.ShapeText}, the module {t.dtype} [{string.Join(",", t.shape)}]");
            }
        }

        problems.AddRange(target.Keys
            .Where(k => !mapped.ContainsKey(k) && !(map.AllowMissingBatchCounters && k.EndsWith("num_batches_tracked", StringComparison.Ordinal)))
            .OrderBy(k => k, StringComparer.Ordinal)
            .Select(k => $"missing '{k}' [{string.Join(",", target[k].shape)}]"));
        if (problems.Count > 0)
        {
            throw new InvalidDataException(
                $"'{path}' does not match the {module.GetType().Name} ({problems.Count} difference(s); key map: strip [{string.Join(", ", map.StripPrefixes)}], " +
                $"rename [{string.Join(", ", map.RenameParts.Select(kv => $"{kv.Key}→{kv.Value}"))}], drop [{string.Join(", ", map.Drop)}]): " +
                string.Join("; ", problems.Take(30)) + (problems.Count > 30 ? $"; … {problems.Count - 30} more" : "") +
                ". Nothing was loaded; pass a KeyMap that matches the file's names.");
        }

        if (!safetensors)
        {
            ZipIntegrity.Verify(path); // a pickle's tensors are stored in zip entries whose CRC-32 nobody else checks
        }

        // Every shape now equals a tensor of the module, so nothing larger than the module is allocated. All are read
        // before any is copied, so a read failure leaves the module unchanged.
        var read = new List<(Tensor Target, Tensor Value)>();
        foreach (var (name, (entry, source, _)) in mapped.OrderBy(kv => kv.Value.Order))
        {
            var value = safetensors ? SafetensorsFile.Read(stream, dataStart, (SafetensorsFile.Located)source) : PickleStateDict.Read((PickleStateDict.Deferred)source);
            if (value.is_floating_point() && !value.isfinite().all().item<bool>())
            {
                throw new InvalidDataException($"'{path}': entry '{entry.Name}' holds NaN or infinite values. Nothing was loaded.");
            }

            read.Add((target[name], value));
        }

        using (no_grad())
        {
            foreach (var (t, value) in read)
            {
                t.copy_(value);
            }
        }
    }

    /// <summary>Saves <paramref name="module"/>'s state dict for PyTorch, atomically: a pickle (<c>torch.load</c>) or, for a <c>.safetensors</c> path, safetensors.</summary>
    /// <param name="module">The module; it may live on any device.</param>
    /// <param name="path">Destination; the extension chooses the format (<see cref="FormatOf"/>).</param>
    public static void Save(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var scope = NewDisposeScope();
        var state = module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
        if (FormatOf(path) == WeightFormat.Safetensors)
        {
            SafetensorsFile.Write(path, state);
        }
        else
        {
            AtomicFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, state, leaveOpen: true));
        }
    }

    private static FileStream Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No PyTorch weight file at '{path}'.", path);
        }

        return File.OpenRead(path);
    }
}
