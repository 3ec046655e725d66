namespace Dwf.Cifar10.Tests;

public class RunFolderTests
{
    [Fact]
    public void SaveOrCheck_MicroConfigWrittenBeforeTheBaselineSettings_AcceptedWithThePresetsValues()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-conf-" + Guid.NewGuid().ToString("N"));
        try
        {
            var folder = new RunFolder(run);
            var config = Presets.Create("micro", "/data", run);
            folder.SaveOrCheck(config);
            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(folder.Config))!.AsObject();
            node["Soe"]!.AsObject().Remove("Width").Should().BeTrue("the test removes a setting an older version did not write");
            File.WriteAllText(folder.Config, node.ToJsonString());

            var same = () => folder.SaveOrCheck(config);

            config.Soe.Width.Should().NotBe(1.0, "the preset's value differs from RunConfig's default, which is what this test is about");
            same.Should().NotThrow();
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public void SaveOrCheck_ConfigRecordsASettingThisVersionLacks_RefusedNamingIt()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-conf-" + Guid.NewGuid().ToString("N"));
        try
        {
            var folder = new RunFolder(run);
            var config = Presets.Create("micro", "/data", run);
            folder.SaveOrCheck(config);
            File.WriteAllText(folder.Config, File.ReadAllText(folder.Config).Replace("{", "{\n  \"RetiredSetting\": 1,", StringComparison.Ordinal));

            var act = () => folder.SaveOrCheck(config);

            act.Should().Throw<InvalidOperationException>().WithMessage("*RetiredSetting*another version*");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public void SaveOrCheck_ConfigWrittenBeforeASettingExisted_AcceptedWithItsDefault()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-conf-" + Guid.NewGuid().ToString("N"));
        try
        {
            var folder = new RunFolder(run);
            var config = Presets.Create("cpu-small", "/data", run);
            folder.SaveOrCheck(config);
            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(folder.Config))!.AsObject();
            node["Soe"]!.AsObject().Remove("Experts").Should().BeTrue("the test removes a setting an older version did not write");
            File.WriteAllText(folder.Config, node.ToJsonString());

            var same = () => folder.SaveOrCheck(config);
            var other = () => folder.SaveOrCheck(config with { Soe = config.Soe with { Experts = 5 } });

            same.Should().NotThrow("a missing setting takes its default");
            other.Should().Throw<InvalidOperationException>("a recorded run with the default cannot continue with another value").WithMessage("*Soe.Experts: 3 → 5*");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public void SaveOrCheck_FlatConfigOfAnOlderVersion_ResumesAndAnotherOptimizerIsRefusedNamingItsPath()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-conf-" + Guid.NewGuid().ToString("N"));
        try
        {
            var folder = new RunFolder(run);
            var config = Presets.Create("cpu-small", "/data", run);
            folder.SaveOrCheck(config);
            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(folder.Config))!.AsObject();
            var (expert, gate, joint) = (node["ExpertOptimizer"]!.AsObject(), node["GateOptimizer"]!.AsObject(), node["JointExpertOptimizer"]!.AsObject());
            foreach (var group in new[] { "ExpertOptimizer", "GateOptimizer", "JointExpertOptimizer" })
            {
                node.Remove(group);
            }

            // As versions before the nesting wrote it: flat names, the joint warm-up and Nesterov shared by both optimizers.
            foreach (var name in new[] { "LearningRate", "Momentum", "Nesterov", "WeightDecay", "DecayNormAndBias", "Schedule", "WarmupEpochs" })
            {
                node["Expert" + name] = expert[name]!.DeepClone();
            }

            node["GateLearningRate"] = gate["LearningRate"]!.DeepClone();
            node["JointExpertLearningRate"] = joint["LearningRate"]!.DeepClone();
            node["JointWarmupEpochs"] = gate["WarmupEpochs"]!.DeepClone();
            node["JointNesterov"] = gate["Nesterov"]!.DeepClone();
            foreach (var (group, names) in new[] { ("Soe", new[] { "Experts", "Depth", "Width", "PgdSteps", "Epochs" }), ("AdvMoe", ["Experts", "Ratio", "Steps", "Epochs"]), ("Trades", ["Beta", "Steps", "Epochs"]) })
            {
                var nested = node[group]!.AsObject();
                node.Remove(group);
                foreach (var name in names)
                {
                    node[group + name] = nested[name]?.DeepClone(); // the baselines' settings were flat too (SoeExperts, TradesBeta, …)
                }
            }

            node["Data"] = "/elsewhere/cifar-10-binary.tar.gz";
            File.WriteAllText(folder.Config, node.ToJsonString());

            var same = () => folder.SaveOrCheck(config);
            var other = () => folder.SaveOrCheck(config with { ExpertOptimizer = config.ExpertOptimizer with { LearningRate = 0.05 } });
            var otherBeta = () => folder.SaveOrCheck(config with { Trades = config.Trades with { Beta = 3 } });

            same.Should().NotThrow("the flat settings are read through the legacy key map");
            other.Should().Throw<InvalidOperationException>().WithMessage("*ExpertOptimizer.LearningRate: 0.1 → 0.05*");
            otherBeta.Should().Throw<InvalidOperationException>().WithMessage("*Trades.Beta: 6 → 3*", "the flat TradesBeta was read into Trades.Beta");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public void Read_EveryCommittedConfig_ReadsWithoutSettingsThisVersionLacks()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Dwf.Robustness.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("the test runs inside the repository");
        }

        string results = Path.Combine(root.FullName, "docs", "results");
        var files = Directory.GetFiles(results, "config.json", SearchOption.AllDirectories);
        var known = System.Text.Json.JsonSerializer.SerializeToNode(Presets.Create("paper", "/d", "/r"), RunConfigJson.Options)!.AsObject();

        files.Should().NotBeEmpty();
        foreach (string file in files)
        {
            var node = RunConfigJson.Upgrade(RunConfigJson.Parse(File.ReadAllText(file), file));
            RunConfigJson.Unknown(node, known).Should().BeEmpty($"{file} is read through the legacy key map");
            RunConfigJson.Read(File.ReadAllText(file), file).ExpertOptimizer.LearningRate.Should().BeGreaterThan(0, file);
        }
    }
}
