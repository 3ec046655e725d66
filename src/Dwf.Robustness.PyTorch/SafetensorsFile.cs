using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Dwf.Robustness.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Robustness.PyTorch;

/// <summary>
/// The safetensors format, read and written here (no code runs from the file): an 8-byte little-endian header
/// length, a JSON header naming every tensor's dtype, shape and byte range, then the raw little-endian data. The header
/// length and every range are checked against the file's size before anything is allocated.
/// </summary>
internal static class SafetensorsFile
{
    /// <summary>Largest header read (the format's reference implementation allows 100 MB).</summary>
    public const long MaxHeaderBytes = 100L << 20;

    private static readonly Dictionary<string, ScalarType> Types = new()
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16,
        ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32, ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8,
        ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    /// <summary>A tensor's entry and its byte range in the data section.</summary>
    public sealed record Located(TensorEntry Entry, long Begin, long End);

    public static Dictionary<string, Located> ReadHeader(Stream stream, string path, out long dataStart)
    {
        long length = stream.Length;
        if (length < 8)
        {
            throw Bad(path, $"has {length} bytes, fewer than the 8 of a safetensors header length");
        }

        Span<byte> size = stackalloc byte[8];
        stream.ReadExactly(size);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(size);
        if (n > (ulong)(length - 8) || n > MaxHeaderBytes)
        {
            throw Bad(path, $"claims a {n}-byte header, but has {length - 8} bytes after the length field (and at most {MaxHeaderBytes} are read); it is truncated or not a safetensors file. Nothing was allocated");
        }

        var header = new byte[n];
        stream.ReadExactly(header);
        dataStart = 8 + (long)n;
        long dataLength = length - dataStart;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Bad(path, $"has a header that is not JSON ({e.Message})");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Bad(path, "has a header that is not a JSON object");
            }

            var entries = new Dictionary<string, Located>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    continue;
                }

                if (!entries.TryAdd(property.Name, Entry(property.Name, property.Value, dataLength, path)))
                {
                    throw Bad(path, $"lists '{property.Name}' twice. Nothing was allocated");
                }
            }

            RequireContiguous(entries.Values, dataLength, path);
            return entries;
        }
    }

    public static Tensor Read(Stream stream, long dataStart, Located located)
    {
        var tensor = empty(located.Entry.Shape.ToArray(), located.Entry.DType, device: CPU);
        stream.Position = dataStart + located.Begin;
        tensor.ReadBytesFromStream(stream);
        return tensor;
    }

    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var scope = NewDisposeScope();
        var ordered = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, Tensor: t.Value.detach().cpu().contiguous())).ToList();
        var header = new Dictionary<string, object>();
        long offset = 0;
        foreach (var (name, tensor) in ordered)
        {
            long bytes = tensor.NumberOfElements * tensor.ElementSize;
            header[name] = new { dtype = Types.First(t => t.Value == tensor.dtype).Key, shape = tensor.shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }

        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padding = (8 - json.Length % 8) % 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> size = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(size, (ulong)(json.Length + padding));
            stream.Write(size);
            stream.Write(json);
            stream.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
            foreach (var (_, tensor) in ordered)
            {
                tensor.WriteBytesToStream(stream);
            }
        });
    }

    /// <summary>
    /// The format requires the data to be indexed entirely, without holes or overlaps: sorted by offset, every tensor
    /// starts where the one before it ended, the first at 0 and the last ends at the end of the file. Aliased ranges
    /// (two tensors reading the same bytes) or unindexed bytes are refused.
    /// </summary>
    private static void RequireContiguous(IEnumerable<Located> entries, long dataLength, string path)
    {
        long next = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != next)
            {
                throw Bad(path, e.Begin < next
                    ? $"entry '{e.Entry.Name}' has data offsets [{e.Begin}, {e.End}] that overlap the tensor before it (which ends at {next}); the format requires non-overlapping ranges. Nothing was allocated"
                    : $"entry '{e.Entry.Name}' starts at {e.Begin}, but the tensor before it ends at {next}: {e.Begin - next} bytes are indexed by no tensor, which the format forbids. Nothing was allocated");
            }

            next = e.End;
        }

        if (next != dataLength)
        {
            throw Bad(path, $"has tensors that end at byte {next} of its {dataLength} data bytes; the format requires the data to be indexed entirely. Nothing was allocated");
        }
    }

    private static Located Entry(string name, JsonElement value, long dataLength, string path)
    {
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw Bad(path, $"entry '{name}' lacks a dtype, a shape or two data offsets");
        }

        if (!Types.TryGetValue(dtype.GetString()!, out var type))
        {
            throw Bad(path, $"entry '{name}' has dtype '{dtype.GetString()}', which is not read here (supported: {string.Join(", ", Types.Keys)})");
        }

        if (shape.GetArrayLength() > 16 || shape.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v) || v < 0))
        {
            throw Bad(path, $"entry '{name}' has an invalid shape {shape.GetRawText()}");
        }

        var dims = shape.EnumerateArray().Select(d => d.GetInt64()).ToArray();
        long begin = offsets[0].TryGetInt64(out long b) ? b : -1, end = offsets[1].TryGetInt64(out long e) ? e : -1;
        long elementSize = ElementSize(type);
        long expected;
        try
        {
            expected = checked(dims.Aggregate(1L, (x, y) => x * y) * elementSize);
        }
        catch (OverflowException)
        {
            throw Bad(path, $"entry '{name}' claims shape {shape.GetRawText()}, more bytes than any file holds. Nothing was allocated");
        }

        if (begin < 0 || end < begin || end > dataLength || end - begin != expected)
        {
            throw Bad(path, $"entry '{name}' ({dtype.GetString()} {shape.GetRawText()}, {expected} bytes) has data offsets [{begin}, {end}] outside the file's {dataLength} data bytes or of another size. Nothing was allocated");
        }

        return new Located(new TensorEntry(name, type, dims), begin, end);
    }

    private static long ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    private static InvalidDataException Bad(string path, string what) => new($"'{path}' {what}.");
}
