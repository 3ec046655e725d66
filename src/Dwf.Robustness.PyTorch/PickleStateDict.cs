using System.Collections;
using System.Reflection;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Dwf.Robustness.PyTorch;

/// <summary>
/// A <c>torch.save(state_dict)</c> file read through TorchSharp.PyBridge's unpickler (Razorvine.Pickle: no Python
/// code runs from the file; unknown classes are inert) in its deferred mode, so every entry's dtype and shape are
/// known — and checked against the target module — before any tensor is allocated. PyBridge keeps the deferred entry
/// type internal; its members are read by reflection here, and a PyBridge version without them fails with a clear
/// message (the package version is pinned in Directory.Packages.props, and the tests load real files).
/// </summary>
internal static class PickleStateDict
{
    /// <summary>A deferred entry: its listing and the PyBridge object that reads it.</summary>
    public sealed record Deferred(TensorEntry Entry, object Reader, int ArchiveIndex);

    public static Dictionary<string, Deferred> ReadHeader(Stream stream, string path)
    {
        Hashtable table;
        try
        {
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true, skipTensorRead: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException(
                $"'{path}' is not a PyTorch state dict saved with torch.save(model.state_dict(), …) in the zip format of PyTorch ≥ 1.6 ({e.GetType().Name}: {e.Message}). Nothing was loaded.", e);
        }

        var entries = new Dictionary<string, Deferred>(StringComparer.Ordinal);
        foreach (DictionaryEntry item in table)
        {
            if (item.Key is not string name)
            {
                throw new InvalidDataException($"'{path}' has a key of type {item.Key.GetType().Name}; a state dict maps names to tensors. Nothing was loaded.");
            }

            entries[name] = Describe(name, item.Value, path);
        }

        return entries;
    }

    public static Tensor Read(Deferred deferred)
    {
        var read = deferred.Reader.GetType().GetMethod("ReadTensorFromStream", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw Unsupported();
        try
        {
            return (Tensor)read.Invoke(deferred.Reader, null)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new InvalidDataException($"Entry '{deferred.Entry.Name}' could not be read: {e.InnerException.Message}", e.InnerException);
        }
    }

    private static Deferred Describe(string name, object? value, string path)
    {
        if (value is null || value.GetType().Name != "TensorConstructorArgs")
        {
            throw new InvalidDataException($"'{path}': entry '{name}' is a {value?.GetType().Name ?? "null"}, not a tensor; the file is not a plain state dict. Nothing was loaded.");
        }

        T Get<T>(string member) => value.GetType().GetProperty(member, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(value) is T v ? v : throw Unsupported();
        var shape = Get<long[]>("Shape");
        var stride = Get<long[]>("Stride");
        int offset = Get<int>("StorageOffset");
        var dtype = Get<ScalarType>("DType");
        if (shape.Length > 16 || shape.Any(d => d < 0) || stride.Length != shape.Length)
        {
            throw new InvalidDataException($"'{path}': entry '{name}' has an invalid shape [{string.Join(",", shape)}]. Nothing was loaded.");
        }

        // Only whole, contiguous tensors are read (a state dict holds nothing else); a view into a larger storage is refused.
        long expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && stride[d] != expected)
            {
                throw new InvalidDataException($"'{path}': entry '{name}' is a strided view (stride [{string.Join(",", stride)}]); save contiguous tensors (tensor.contiguous()). Nothing was loaded.");
            }

            expected *= Math.Max(1, shape[d]);
        }

        if (offset != 0)
        {
            throw new InvalidDataException($"'{path}': entry '{name}' starts at offset {offset} of a shared storage; save each tensor on its own (tensor.clone()). Nothing was loaded.");
        }

        return new Deferred(new TensorEntry(name, dtype, shape), value, Get<int>("ArchiveIndex"));
    }

    private static NotSupportedException Unsupported() => new(
        "This version of TorchSharp.PyBridge lays out its deferred tensors differently from 1.4.4, which Dwf.Robustness.PyTorch was built against; use TorchSharp.PyBridge 1.4.4.");
}
