using static TorchSharp.torch;

namespace Dwf.Robustness.Data;

/// <summary>
/// Collects the members of one split into a single uint8 tensor without an intermediate copy. In the official
/// layout every member has the same number of records, so the result is allocated once (sized from the first
/// member seen) and every member is parsed straight into its slot, whatever order the archive stores them in. A
/// member of another size is parsed on its own and the result rebuilt at the end.
/// </summary>
internal sealed class SplitAssembler(IReadOnlyList<string> wanted) : IDisposable
{
    private readonly Dictionary<string, long[]> _labels = [];
    private readonly Dictionary<string, Tensor> _irregular = [];
    private Tensor? _uniform;
    private long _slotRecords;

    /// <summary>Where the pixels of <paramref name="member"/> go: a flat uint8 view [records, 3072].</summary>
    public Tensor Destination(string member, long records)
    {
        int slot = IndexOf(member);

        if (_uniform is null)
        {
            _slotRecords = records;
            _uniform = empty(new[] { records * wanted.Count, (long)Cifar10Format.ImageSize }, ScalarType.Byte).DetachFromDisposeScope();
        }

        if (records == _slotRecords)
        {
            return _uniform.narrow(0, slot * _slotRecords, records);
        }

        var own = empty(new[] { records, (long)Cifar10Format.ImageSize }, ScalarType.Byte).DetachFromDisposeScope();
        _irregular[member] = own;
        return own.alias();
    }

    /// <summary>Records that <paramref name="member"/> was read completely.</summary>
    public void Complete(string member, long[] labels) => _labels[member] = labels;

    /// <summary>The member files this split is made of.</summary>
    public IReadOnlyList<string> Wanted => wanted;

    /// <summary>Whether <paramref name="member"/> belongs to this split.</summary>
    /// <param name="member">A file name such as <c>data_batch_1.bin</c>.</param>
    public bool Wants(string member) => wanted.Contains(member);

    /// <summary>Builds the dataset; throws naming every missing member.</summary>
    public ImageDataset Build(string[]? classNames, string source)
    {
        var missing = wanted.Where(w => !_labels.ContainsKey(w)).ToList();
        if (classNames is null)
        {
            missing.Add(Cifar10Format.MetaFileName);
        }

        if (missing.Count > 0)
        {
            throw Cifar10DataException.Create(
                $"'{source}' lacks {string.Join(", ", missing)}: it is not a complete CIFAR-10 binary archive or folder.");
        }

        using var scope = NewDisposeScope();
        var labels = tensor(wanted.SelectMany(w => _labels[w]).ToArray());
        long total = labels.shape[0];
        Tensor images;
        if (_irregular.Count == 0)
        {
            images = _uniform!;
            _uniform = null;
        }
        else
        {
            images = empty(new[] { total, (long)Cifar10Format.ImageSize }, ScalarType.Byte);
            long offset = 0;
            for (int i = 0; i < wanted.Count; i++)
            {
                string w = wanted[i];
                long n = _labels[w].Length;
                var part = _irregular.TryGetValue(w, out var own) ? own : _uniform!.narrow(0, i * _slotRecords, n);
                images.narrow(0, offset, n).copy_(part);
                offset += n;
            }
        }

        var shaped = images.view(total, Cifar10Format.Channels, Cifar10Format.Height, Cifar10Format.Width);
        if (_irregular.Count == 0)
        {
            images.Dispose(); // the detached flat handle; the view keeps the storage, the dataset owns the view
        }

        return new ImageDataset(shaped, labels, classNames!);
    }

    private int IndexOf(string member)
    {
        for (int i = 0; i < wanted.Count; i++)
        {
            if (wanted[i] == member)
            {
                return i;
            }
        }

        throw new ArgumentException($"'{member}' is not part of this split.", nameof(member));
    }

    public void Dispose()
    {
        _uniform?.Dispose();
        foreach (var t in _irregular.Values)
        {
            t.Dispose();
        }
    }
}
