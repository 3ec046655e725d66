using System.Text.Json;
using Dwf.Robustness.Infrastructure;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Training;

/// <summary>
/// One file holding everything needed to continue a run exactly: a JSON header (phase, run fingerprint, position,
/// partial-epoch sums, history), the model's state dict and every optimizer's state. Written atomically. All random
/// draws of training derive from (seed, epoch, batch), so the position is the random state.
/// </summary>
internal static class TrainingCheckpoint
{
    private const string Magic = "DWF-CHECKPOINT-1";

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    internal sealed record Header(
        string Phase,
        Dictionary<string, string> Fingerprint,
        int Epoch,
        int Batch,
        BatchStats Partial,
        List<EpochMetrics> History);

    public static void Save(string path, Header header, nn.Module model, IReadOnlyList<OptimizerHelper> optimizers)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(JsonSerializer.Serialize(header, Json));
            model.save(writer);
            writer.Write(optimizers.Count);
            foreach (var optimizer in optimizers)
            {
                optimizer.save_state_dict(writer);
            }
        });
    }

    /// <summary>Reads and checks the header; loads model and optimizer state only if everything matches.</summary>
    public static Header Load(string path, string phase, Dictionary<string, string> fingerprint, nn.Module model, IReadOnlyList<OptimizerHelper> optimizers)
    {
        byte[] bytes = File.ReadAllBytes(path);
        using var reader = new BinaryReader(new MemoryStream(bytes));
        Header header;
        try
        {
            if (reader.ReadString() != Magic)
            {
                throw new InvalidDataException($"'{path}' is not a Dwf.Robustness training checkpoint.");
            }

            header = JsonSerializer.Deserialize<Header>(reader.ReadString(), Json)
                     ?? throw new InvalidDataException($"'{path}' has an empty header.");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or FormatException)
        {
            throw new InvalidDataException($"'{path}' is not a readable training checkpoint ({e.Message}). Delete it to start over.", e);
        }

        if (header.Phase != phase)
        {
            throw new InvalidDataException($"'{path}' is a checkpoint of '{header.Phase}', not of '{phase}'. Use another checkpoint path.");
        }

        var differences = fingerprint
            .Where(kv => !header.Fingerprint.TryGetValue(kv.Key, out var saved) || saved != kv.Value)
            .Select(kv => $"{kv.Key}: checkpoint {(header.Fingerprint.TryGetValue(kv.Key, out var s) ? s : "(none)")}, now {kv.Value}")
            .ToList();
        if (differences.Count > 0)
        {
            throw new InvalidDataException(
                $"'{path}' was written by a run with other settings ({string.Join("; ", differences)}). " +
                "Resume with the same settings, or delete the checkpoint to start over.");
        }

        long modelStart = reader.BaseStream.Position;
        ModelFile.CheckMatches(model, StateDictFile.ReadHeader(reader, path), path);
        int count = reader.ReadInt32();
        if (count != optimizers.Count)
        {
            throw new InvalidDataException($"'{path}' holds {count} optimizer states; this run has {optimizers.Count}.");
        }

        reader.BaseStream.Position = modelStart;
        using (no_grad())
        {
            model.load(reader, strict: true);
        }

        reader.ReadInt32();
        foreach (var optimizer in optimizers)
        {
            optimizer.load_state_dict(reader);
        }

        return header;
    }
}
