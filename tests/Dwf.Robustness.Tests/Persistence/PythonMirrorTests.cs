using Dwf.Robustness.Data;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Persistence;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Persistence;

/// <summary>The library's saved models, loaded by the Python mirror (python/dwf_models.py), give the same logits.</summary>
public class PythonMirrorTests
{
    /// <summary>100 CIFAR-10 test images when DWF_CIFAR10 is set, else 100 seeded random images.</summary>
    private static Tensor Images()
    {
        if (Cifar10FactAttribute.Path is { } data)
        {
            using var test = Cifar10Reader.Load(data, Cifar10Split.Test);
            return test.Images[..100].to(ScalarType.Float32) / 255;
        }

        manual_seed(11);
        return rand(100, 3, 32, 32);
    }

    /// <summary>Moves BatchNorm's running statistics away from 0/1, so the mirror's eval-mode normalization is exercised.</summary>
    private static void WarmStatistics(nn.Module<Tensor, Tensor> model, Tensor images)
    {
        model.train();
        using (no_grad())
        {
            for (int i = 0; i < 3; i++)
            {
                model.call(images[(i * 30)..((i + 1) * 30)]);
            }
        }

        model.eval();
    }

    private static float MaxDifference(nn.Module<Tensor, Tensor> model, string weights, Tensor images, TempDirectory dir)
    {
        string input = dir.File("images.npy"), output = dir.File("logits.npy");
        NpyFile.Write(input, images.contiguous().data<float>().ToArray(), images.shape);
        var (code, stdout, stderr) = PythonTorchFactAttribute.Run("dwf_models.py", weights, input, output);
        code.Should().Be(0, $"the mirror must load the file: {stdout}{stderr}");
        var (python, shape) = NpyFile.Read(output);
        using var ours = model.call(images).contiguous();
        shape.Should().Equal(ours.shape);
        return ours.data<float>().ToArray().Zip(python, (a, b) => Math.Abs(a - b)).Max();
    }

    [PythonTorchFact]
    public void DwfModels_ExpertAndNineExpertMixture_SameLogitsWithin1e5()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var images = Images();

        manual_seed(1);
        var expert = Expert.ResNet18("pgd-1", ExpertKind.Pgd, 10, width: 0.25);
        WarmStatistics(expert.Module, images);
        SavedModel.Save(expert, dir.File("expert.bin"));

        manual_seed(2);
        var experts = Enumerable.Range(0, 9).Select(i => (IExpert)Expert.ResNet18($"e{i}", ExpertKind.Custom, 10, width: 0.125)).ToList();
        using var mixture = new MixtureOfExperts(experts, new SoftGate(9, width: 8, temperature: 1.5));
        WarmStatistics(mixture, images);
        SavedModel.Save(mixture, dir.File("mixture.bin"));

        using (no_grad())
        {
            MaxDifference(expert.Module, dir.File("expert.bin"), images, dir).Should().BeLessThan(1e-5f, "one expert");
            MaxDifference(mixture, dir.File("mixture.bin"), images, dir).Should().BeLessThan(1e-5f, "a nine-expert mixture through its gate");
        }

        expert.Module.Dispose();
    }
}
