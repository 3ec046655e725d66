using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Persistence;

/// <summary>
/// Walks one optimizer section of a checkpoint, in TorchSharp 0.107's SGD layout, without allocating anything it
/// describes, and checks it against the optimizer it will be loaded into: the optimizer's type name; LEB128 group
/// and state counts; per group two learning rates, momentum, dampening, weight decay (doubles) and two flags; per
/// parameter a flag and, when set, the momentum buffer as a tensor (LEB128 dtype, rank and dimensions, raw data). The
/// group's momentum, dampening, weight decay and flags must be the run's own, and a momentum group of a checkpoint
/// past its first step must hold momentum buffers. TorchSharp's own loader allocates momentum buffers with the dtype and dimensions it reads, so a
/// corrupted byte there can crash the process or allocate terabytes: nothing reaches it unchecked.
/// </summary>
internal static class OptimizerStateFile
{
    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> and the entry unless the section fits;
    /// <paramref name="stepped"/>: the checkpoint is past the first optimizer step (its position is not epoch 0, batch 0).
    /// </summary>
    public static void Check(BinaryReader reader, OptimizerHelper optimizer, string source, int index, bool stepped)
    {
        string where = $"'{source}', optimizer {index}";
        if (optimizer is not SGD)
        {
            throw new NotSupportedException($"Checkpoints hold SGD state; optimizer {index} is a {optimizer.GetType().Name}.");
        }

        string name = reader.ReadString();
        if (name != nameof(SGD))
        {
            throw new InvalidDataException($"{where}: the file holds '{Printable(name)}' state, this run uses SGD.");
        }

        var groups = optimizer.ParamGroups.Cast<ParamGroup>().ToList();
        var parameters = groups.SelectMany(g => g.Parameters).ToList();
        long groupCount = StateDictFile.Leb128(reader), stateCount = StateDictFile.Leb128(reader);
        if (groupCount != groups.Count || stateCount != parameters.Count)
        {
            throw new InvalidDataException(
                $"{where}: the file has {groupCount} parameter groups and {stateCount} states; this run has {groups.Count} and {parameters.Count}.");
        }

        var momentumGroups = new bool[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            var values = new Dictionary<string, double>();
            foreach (string field in new[] { "initial learning rate", "learning rate", "momentum", "dampening", "weight decay" })
            {
                double value = reader.ReadDouble();
                if (!double.IsFinite(value) || value < 0)
                {
                    throw new InvalidDataException($"{where}, group {g}: {field} is {value}; the file is corrupt.");
                }

                values[field] = value;
            }

            bool nesterov = Flag(reader, $"{where}, group {g}, nesterov");
            bool maximize = Flag(reader, $"{where}, group {g}, maximize");

            // Loading would replace the run's settings with the file's: a momentum that differs from the one the run's
            // options (and so its fingerprint) give would silently change training.
            var options = (SGD.Options)groups[g].Options;
            var saved = (values["momentum"], values["dampening"], values["weight decay"], nesterov, maximize);
            var now = (options.momentum ?? 0, options.dampening ?? 0, options.weight_decay ?? 0, options.nesterov ?? false, options.maximize ?? false);
            if (saved != now)
            {
                throw new InvalidDataException(
                    $"{where}, group {g}: the file's optimizer settings (momentum {saved.Item1}, dampening {saved.Item2}, weight decay {saved.Item3}, nesterov {saved.nesterov}, maximize {saved.maximize}) " +
                    $"differ from this run's ({now.Item1}, {now.Item2}, {now.Item3}, {now.Item4}, {now.Item5}); the file was edited or is corrupt. Delete it to start over.");
            }

            momentumGroups[g] = now.Item1 > 0;
        }

        var groupOf = groups.SelectMany((group, g) => group.Parameters.Select(_ => g)).ToArray();
        var buffered = new bool[groups.Count];
        for (int p = 0; p < parameters.Count; p++)
        {
            string entry = $"{where}, momentum buffer of parameter {p}";
            if (!Flag(reader, entry))
            {
                continue;
            }

            buffered[groupOf[p]] = true;

            var expected = parameters[p].shape;
            var tensor = StateDictFile.ReadEntryHeader(reader, "momentum", source);
            if (tensor.DType != parameters[p].dtype || !tensor.Shape.SequenceEqual(expected))
            {
                throw new InvalidDataException(
                    $"{entry}: the file has {tensor.DType} {Infrastructure.InputGuards.Shape(tensor.Shape)}, the parameter is {parameters[p].dtype} {Infrastructure.InputGuards.Shape(expected)}.");
            }

            StateDictFile.SkipData(reader, tensor, source);
        }

        // After the first step every parameter of a momentum group that received a gradient has a buffer; a file past
        // the start whose momentum groups have none at all would resume with zero momentum.
        for (int g = 0; g < groups.Count; g++)
        {
            if (stepped && momentumGroups[g] && groups[g].Parameters.Any() && !buffered[g])
            {
                throw new InvalidDataException(
                    $"{where}, group {g}: momentum {((SGD.Options)groups[g].Options).momentum} but no momentum buffer, although the checkpoint is past the first step; the file was edited or is corrupt. Delete it to start over.");
            }
        }
    }

    private static bool Flag(BinaryReader reader, string what)
    {
        byte b = reader.ReadByte();
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw new InvalidDataException($"{what}: a flag byte is {b}, not 0 or 1; the file is corrupt."),
        };
    }

    private static string Printable(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
