using System.Text.Json;
using Dwf.Robustness.Data;
using Dwf.Robustness.Experts;
using Dwf.Robustness.PyTorch;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.PyTorch;

/// <summary>A PyTorch-trained, RobustBench-style PreAct ResNet-18 checkpoint (made by python/make_preact_checkpoint.py) joins the library as an expert.</summary>
public class PyTorchCheckpointTests
{
    [PythonTorchFact(NeedsCifar10 = true)]
    public void Load_RobustBenchStylePreActCheckpoint_SamePredictionsOn1000TestImages()
    {
        string data = Cifar10FactAttribute.Path!;

        using var dir = new TempDirectory();
        var (code, output, error) = PythonTorchFactAttribute.Run("make_preact_checkpoint.py", "--data", Path.GetFullPath(data),
            "--out", dir.File("preact.pt"), "--predictions", dir.File("preds.json"));
        code.Should().Be(0, output + error);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("preds.json")));
        var python = json.RootElement.GetProperty("predictions").EnumerateArray().Select(e => e.GetInt64()).ToArray();

        var expert = Expert.PreActResNet18("robustbench-preact", ExpertKind.Pgd, 10, width: 0.25);
        PyTorchWeights.Load(expert.Module, dir.File("preact.pt"), KeyMap.RobustBench); // strips module., drops mu/sigma
        expert.Module.eval();
        using var test = Cifar10Reader.Load(data, Cifar10Split.Test);
        long[] ours;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var x = test.Images[..1000].to(ScalarType.Float32) / 255;
            ours = expert.Module.call(x).argmax(1).data<long>().ToArray();
        }

        var labels = test.Labels[..1000].data<long>().ToArray();
        int agree = ours.Zip(python).Count(p => p.First == p.Second);
        agree.Should().BeGreaterThanOrEqualTo(998, "the same weights give the same class except where two logits are within float rounding");
        ours.Zip(labels).Count(p => p.First == p.Second).Should().BeCloseTo(json.RootElement.GetProperty("correct").GetInt32(), 2,
            "the same accuracy in both stacks");
        expert.Module.Dispose();
    }
}
