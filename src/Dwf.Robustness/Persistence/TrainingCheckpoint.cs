using System.Text.Json;
using Dwf.Robustness.Infrastructure;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Persistence;

/// <summary>
/// One file holding everything needed to continue a run exactly: a JSON header (phase, run fingerprint, position,
/// partial-epoch sums, history), the model's state dict and every optimizer's state. Written atomically. All random
/// draws of training derive from (seed, epoch, batch), so the position is the random state. The header's partial-epoch
/// sums (<typeparamref name="TPartial"/>) and history entries (<typeparamref name="TEpoch"/>) are the trainer's types,
/// written as JSON, so persistence does not depend on training.
/// </summary>
/// <typeparam name="TPartial">The partial-epoch sums.</typeparam>
/// <typeparam name="TEpoch">One finished epoch's metrics.</typeparam>
internal static class TrainingCheckpoint<TPartial, TEpoch>
    where TPartial : class
    where TEpoch : class
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
        TPartial Partial,
        List<TEpoch> History);

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

    /// <summary>
    /// Reads and checks everything — header, fingerprint, the model's table of contents and data, every optimizer
    /// section — and only then loads model and optimizer state. A refused file leaves model and optimizers exactly
    /// as they were; every failure is an <see cref="InvalidDataException"/> naming the file and the entry. A position
    /// outside the run's <paramref name="epochs"/> of <paramref name="batchesPerEpoch"/> batches is refused.
    /// </summary>
    public static Header Load(string path, string phase, Dictionary<string, string> fingerprint, nn.Module model, IReadOnlyList<OptimizerHelper> optimizers,
        int epochs, int batchesPerEpoch)
    {
        byte[] bytes = ModelFile.ReadAll(path, "training checkpoint");
        using var reader = new BinaryReader(new MemoryStream(bytes));
        Header header;
        long modelStart;
        try
        {
            header = ReadHeader(reader, path);
            CheckPhaseAndFingerprint(header, path, phase, fingerprint);
            if (header.Epoch > epochs || (header.Epoch < epochs && header.Batch >= batchesPerEpoch) || (header.Epoch == epochs && header.Batch != 0))
            {
                throw new InvalidDataException(
                    $"'{path}': its position (epoch {header.Epoch + 1}, batch {header.Batch}) lies outside this run's {epochs} epochs of {batchesPerEpoch} batches; the file was edited or is corrupt. Delete it to start over.");
            }

            modelStart = reader.BaseStream.Position;
            ModelFile.CheckMatches(model, StateDictFile.ReadHeader(reader, path), path);
            int count = reader.ReadInt32();
            if (count != optimizers.Count)
            {
                throw new InvalidDataException($"'{path}' holds {count} optimizer states; this run has {optimizers.Count}.");
            }

            for (int i = 0; i < optimizers.Count; i++)
            {
                OptimizerStateFile.Check(reader, optimizers[i], path, i, stepped: header.Epoch > 0 || header.Batch > 0);
            }

            if (reader.BaseStream.Position != reader.BaseStream.Length)
            {
                throw new InvalidDataException($"'{path}' has {reader.BaseStream.Length - reader.BaseStream.Position} bytes after its last section; the file is corrupt.");
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or OverflowException && e is not InvalidDataException)
        {
            throw new InvalidDataException($"'{path}' is truncated or corrupt ({e.Message}). Delete it to start over.", e);
        }

        // Everything TorchSharp will read has been checked; only now is state replaced.
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

    private static Header ReadHeader(BinaryReader reader, string path)
    {
        try
        {
            if (reader.ReadString() != Magic)
            {
                throw new InvalidDataException($"'{path}' is not a Dwf.Robustness training checkpoint.");
            }

            var header = JsonSerializer.Deserialize<Header>(reader.ReadString(), Json);
            string? missing = header is null ? "header"
                : header.Phase is null ? "Phase"
                : header.Fingerprint is null ? "Fingerprint"
                : header.Partial is null ? "Partial"
                : header.History is null || header.History.Any(h => h is null) ? "History"
                : null;
            if (missing is not null)
            {
                throw new InvalidDataException($"'{path}': the checkpoint header has no {missing}; the file is corrupt. Delete it to start over.");
            }

            if (header!.Epoch < 0 || header.Batch < 0 || header.History!.Count != header.Epoch)
            {
                throw new InvalidDataException(
                    $"'{path}': the header's position (epoch {header.Epoch}, batch {header.Batch}, {header.History!.Count} epochs of history) is inconsistent; the file is corrupt.");
            }

            return header;
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or FormatException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"'{path}' is not a readable training checkpoint ({e.Message}). Delete it to start over.", e);
        }
    }

    private static void CheckPhaseAndFingerprint(Header header, string path, string phase, Dictionary<string, string> fingerprint)
    {
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
    }
}
