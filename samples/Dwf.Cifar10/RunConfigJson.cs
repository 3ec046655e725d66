using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dwf.Cifar10;

/// <summary>
/// config.json as it is written and read: <see cref="RunConfig"/> with the library's option records nested
/// (<see cref="RunConfig.ExpertOptimizer"/>, <see cref="RunConfig.GateOptimizer"/>, <see cref="RunConfig.JointExpertOptimizer"/>)
/// the joint phase's settings in <see cref="RunConfig.Joint"/>, the evaluation's in <see cref="RunConfig.Eval"/> and each
/// rival defense's in its own group (<see cref="RunConfig.Soe"/>, <see cref="RunConfig.AdvMoe"/>, <see cref="RunConfig.Trades"/>);
/// files written before the nesting are read through <see cref="LegacyKeys"/>, so every older run folder still resumes
/// and every committed config still aggregates. <c>--set</c> takes the same old names.
/// </summary>
public static class RunConfigJson
{
    /// <summary>Indented, PascalCase: config.json's format.</summary>
    public static JsonSerializerOptions Options { get; } = new() { WriteIndented = true };

    /// <summary>
    /// Flat settings of config.json files written before the nesting, and the nested paths that took their place (one
    /// old setting may have set several: the joint phase's warm-up and Nesterov applied to both of its optimizers).
    /// An empty list: the setting is no longer part of a run's identity (it is dropped on reading).
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> LegacyKeys { get; } = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        ["ExpertLearningRate"] = ["ExpertOptimizer.LearningRate"],
        ["ExpertMomentum"] = ["ExpertOptimizer.Momentum"],
        ["ExpertNesterov"] = ["ExpertOptimizer.Nesterov"],
        ["ExpertWeightDecay"] = ["ExpertOptimizer.WeightDecay"],
        ["ExpertDecayNormAndBias"] = ["ExpertOptimizer.DecayNormAndBias"],
        ["ExpertSchedule"] = ["ExpertOptimizer.Schedule"],
        ["ExpertWarmupEpochs"] = ["ExpertOptimizer.WarmupEpochs"],
        ["GateLearningRate"] = ["GateOptimizer.LearningRate"],
        ["JointExpertLearningRate"] = ["JointExpertOptimizer.LearningRate"],
        ["JointWarmupEpochs"] = ["GateOptimizer.WarmupEpochs", "JointExpertOptimizer.WarmupEpochs"],
        ["JointNesterov"] = ["GateOptimizer.Nesterov", "JointExpertOptimizer.Nesterov"],
        ["JointEpochs"] = ["Joint.Epochs"],
        ["JointPerClass"] = ["Joint.PerClass"],
        ["GateEntropyWeight"] = ["Joint.GateEntropyWeight"],
        ["FrozenAblation"] = ["Joint.FrozenAblation"],
        ["JointCleanShare"] = ["Joint.CleanShare"],
        ["JointFgsmShare"] = ["Joint.FgsmShare"],
        ["JointPgdShare"] = ["Joint.PgdShare"],
        ["GateWidth"] = ["Joint.GateWidth"],
        ["GateTemperature"] = ["Joint.GateTemperature"],
        ["GateTopK"] = ["Joint.GateTopK"],
        ["MixingMode"] = ["Joint.MixingMode"],
        ["JointExpertRateScaling"] = ["Joint.ExpertRateScaling"],
        ["JointMaxExpertRateScale"] = ["Joint.MaxExpertRateScale"],
        ["GateWarmupBatches"] = ["Joint.GateWarmupBatches"],
        ["JointLabelSmoothing"] = ["Joint.LabelSmoothing"],
        ["EvalPerClass"] = ["Eval.PerClass"],
        ["EvalSkipPerClass"] = ["Eval.SkipPerClass"],
        ["EvalRapidOnSurvivors"] = ["Eval.RapidOnSurvivors"],
        ["EvalFgsmEpsilons"] = ["Eval.FgsmEpsilons"],
        ["EvalPgdSteps"] = ["Eval.PgdSteps"],
        ["EvalAllExperts"] = ["Eval.AllExperts"],
        ["EvalPgdLosses"] = ["Eval.PgdLosses"],
        ["EvalBatchSize"] = ["Eval.BatchSize"],
        ["EvalBatchesPerBlock"] = ["Eval.BatchesPerBlock"],
        ["EvalL2Epsilon"] = ["Eval.L2Epsilon"],
        ["SoeExperts"] = ["Soe.Experts"],
        ["SoeDepth"] = ["Soe.Depth"],
        ["SoeWidth"] = ["Soe.Width"],
        ["SoePgdSteps"] = ["Soe.PgdSteps"],
        ["SoeEpochs"] = ["Soe.Epochs"],
        ["AdvMoeExperts"] = ["AdvMoe.Experts"],
        ["AdvMoeRatio"] = ["AdvMoe.Ratio"],
        ["AdvMoeSteps"] = ["AdvMoe.Steps"],
        ["AdvMoeEpochs"] = ["AdvMoe.Epochs"],
        ["TradesBeta"] = ["Trades.Beta"],
        ["TradesSteps"] = ["Trades.Steps"],
        ["TradesEpochs"] = ["Trades.Epochs"],
        ["Data"] = [],
        ["Device"] = [],
    };

    /// <summary>
    /// The defenses in the order of the enum that older versions wrote <c>CompareDefenses</c> with (as numbers): read as
    /// the keys of today's recipes.
    /// </summary>
    public static IReadOnlyList<string> LegacyDefenseNumbers { get; } = ["Dwf", "FrozenExperts", "PgdAt", "Trades", "Soe", "AdvMoe"];

    /// <summary>Reads a config.json text (either form).</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="file">The file, for messages.</param>
    /// <exception cref="InvalidDataException">Not a JSON object, or settings this version does not have.</exception>
    public static RunConfig Read(string json, string file)
    {
        var node = Upgrade(Parse(json, file));
        try
        {
            return node.Deserialize<RunConfig>(Options) ?? throw new InvalidDataException($"{file} holds no configuration.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: {e.Message}", e);
        }
    }

    /// <summary>The text as a JSON object, or an <see cref="InvalidDataException"/> naming the file.</summary>
    public static JsonObject Parse(string json, string file)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{file} is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary><paramref name="config"/> with every legacy flat key moved to its nested place and <c>CompareDefenses</c> numbers read as names (<see cref="LegacyDefenseNumbers"/>); a copy, the input is unchanged.</summary>
    public static JsonObject Upgrade(JsonObject config)
    {
        var upgraded = (JsonObject)config.DeepClone();
        foreach (var (key, value) in config)
        {
            if (!LegacyKeys.TryGetValue(key, out var paths))
            {
                continue;
            }

            upgraded.Remove(key);
            foreach (string path in paths)
            {
                var (group, name) = Split(path);
                if (upgraded[group] is not JsonObject nested)
                {
                    upgraded[group] = nested = new JsonObject();
                }

                nested[name] = value?.DeepClone();
            }
        }

        if (upgraded["CompareDefenses"] is JsonArray defenses && defenses.Any(d => d?.GetValueKind() == JsonValueKind.Number))
        {
            upgraded["CompareDefenses"] = new JsonArray(defenses.Select(d => d?.GetValueKind() == JsonValueKind.Number
                && d.GetValue<int>() is var i && i >= 0 && i < LegacyDefenseNumbers.Count ? JsonValue.Create(LegacyDefenseNumbers[i]) : d?.DeepClone()).ToArray());
        }

        return upgraded;
    }

    /// <summary>Adds every setting of <paramref name="defaults"/> that <paramref name="config"/> lacks, at any depth (settings added since a folder was written take today's preset value).</summary>
    public static void Fill(JsonObject config, JsonObject defaults)
    {
        foreach (var (key, value) in defaults)
        {
            if (!config.ContainsKey(key))
            {
                config[key] = value?.DeepClone();
            }
            else if (config[key] is JsonObject nested && value is JsonObject nestedDefaults)
            {
                Fill(nested, nestedDefaults);
            }
        }
    }

    /// <summary>Settings of <paramref name="config"/> that <paramref name="known"/> does not have, as dotted paths.</summary>
    public static IEnumerable<string> Unknown(JsonObject config, JsonObject known, string prefix = "") =>
        config.SelectMany(p => !known.ContainsKey(p.Key) ? [prefix + p.Key]
            : p.Value is JsonObject nested && known[p.Key] is JsonObject knownNested ? Unknown(nested, knownNested, prefix + p.Key + ".")
            : []);

    /// <summary>The settings whose values differ between two configurations, as <c>path: a → b</c> (at most <paramref name="most"/>).</summary>
    public static IReadOnlyList<string> Differences(JsonObject a, JsonObject b, int most = 10) =>
        Diff(a, b, "").Take(most).ToList();

    private static IEnumerable<string> Diff(JsonObject a, JsonObject b, string prefix)
    {
        foreach (string key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
        {
            var (x, y) = (a[key], b[key]);
            if (x is JsonObject xo && y is JsonObject yo)
            {
                foreach (var d in Diff(xo, yo, prefix + key + "."))
                {
                    yield return d;
                }
            }
            else if (!JsonNode.DeepEquals(x, y))
            {
                yield return $"{prefix}{key}: {x?.ToJsonString() ?? "(missing)"} → {y?.ToJsonString() ?? "(missing)"}";
            }
        }
    }

    private static (string Group, string Name) Split(string path)
    {
        int dot = path.IndexOf('.');
        return (path[..dot], path[(dot + 1)..]);
    }
}
