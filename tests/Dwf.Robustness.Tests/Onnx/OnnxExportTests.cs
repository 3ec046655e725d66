using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Onnx;
using Dwf.Robustness.Tests.TestSupport;
using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Onnx;

public class OnnxExportTests
{
    /// <summary>A network with BatchNorm running statistics moved off their initial values (a few train-mode passes), in eval mode.</summary>
    internal static T Warmed<T>(T network, long seed)
        where T : nn.Module<Tensor, Tensor>
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.train();
        for (int i = 0; i < 3; i++)
        {
            network.call(SyntheticImages.Make(16, seed: seed + i).Images);
        }

        network.eval();
        return network;
    }

    /// <summary>ONNX Runtime's outputs of <paramref name="model"/> on <paramref name="images"/> [B,C,H,W].</summary>
    internal static IReadOnlyDictionary<string, float[]> Run(byte[] model, Tensor images)
    {
        using var session = new InferenceSession(model);
        var input = new DenseTensor(images.contiguous().data<float>().ToArray(), images.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("images", input)]);
        return results.ToDictionary(r => r.Name, r => r.AsEnumerable<float>().ToArray());
    }

    public static TheoryData<string> Networks => ["ResNet18", "PreActResNet18", "CifarResNet20"];

    private static ResNet Build(string network) => network switch
    {
        "ResNet18" => new ResNet18(4, 0.125, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3]),
        "PreActResNet18" => new PreActResNet18(4, 0.125),
        _ => new CifarResNet(4, depth: 20, width: 0.5),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Serialize_Expert_OnnxRuntimeLogitsMatchTorchSharpWithin1e4(string network)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var module = Warmed(Build(network), seed: 5);
        var expert = new Expert(module, "e", 4);
        var (x, _) = SyntheticImages.Make(8, seed: 9);

        var onnx = Run(OnnxExport.Serialize(expert), x);

        using var noGrad = no_grad();
        var expected = module.call(x).data<float>().ToArray();
        onnx.Keys.Should().Equal("logits");
        onnx["logits"].Should().HaveCount(expected.Length);
        onnx["logits"].Zip(expected).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void Serialize_Expert_AnyBatchAndImageSize()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var module = Warmed(new ResNet18(4, 0.125), seed: 6);
        byte[] model = OnnxExport.Serialize(new Expert(module, "e", 4));
        var x = rand(3, 3, 48, 40);

        var onnx = Run(model, x);

        using var noGrad = no_grad();
        onnx["logits"].Zip(module.call(x).data<float>().ToArray()).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void Serialize_Expert_MetadataNamesKindClassesAndNormalization()
    {
        using var module = new ResNet18(4, 0.125, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3]);
        using var session = new InferenceSession(OnnxExport.Serialize(new Expert(module, "pgd-1", 4)));

        var metadata = session.ModelMetadata.CustomMetadataMap;
        metadata["dwf.kind"].Should().Be("expert");
        metadata["dwf.classes"].Should().Be("4");
        metadata["dwf.mean"].Should().Be("0.5,0.4,0.3");
        metadata["dwf.experts"].Should().Be("pgd-1");
        session.ModelMetadata.ProducerName.Should().Be("Dwf.Robustness");
    }

    [Fact]
    public void Serialize_CustomModule_RefusedNamingTheSupportedNetworks()
    {
        using var module = new TinyCnn(4, seed: 1);

        var act = () => OnnxExport.Serialize(new Expert(module, "custom", 4));

        act.Should().Throw<NotSupportedException>().WithMessage("*'custom' wraps a TinyCnn*ResNet18*");
    }

    [Fact]
    public void Save_Expert_WritesTheFileOnnxRuntimeLoads()
    {
        using var dir = new TempDirectory();
        using var module = new CifarResNet(10, depth: 8, width: 0.25);
        string path = dir.File("e.onnx");

        OnnxExport.Save(new Expert(module, "e", 10), path);

        using var session = new InferenceSession(path);
        session.InputMetadata.Keys.Should().Equal("images");
        session.OutputMetadata["logits"].Dimensions.Should().Equal(-1, 10);
    }

    /// <summary>Three small warmed experts (one PreAct) under a warmed soft gate, or a top-2 gate over it.</summary>
    internal static MixtureOfExperts Mixture(MixtureMode mode, bool topK, double temperature = 2.0)
    {
        manual_seed(11);
        var experts = new IExpert[]
        {
            new Expert(Warmed(new ResNet18(4, 0.125), seed: 1), "clean-1", 4),
            new Expert(Warmed(new PreActResNet18(4, 0.125, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]), seed: 2), "fgsm-1", 4, ExpertKind.Fgsm),
            new Expert(Warmed(new ResNet18(4, 0.125), seed: 3), "pgd-1", 4, ExpertKind.Pgd),
        };
        var soft = Warmed(new SoftGate(3, width: 4, temperature: temperature), seed: 4);
        var mixture = new MixtureOfExperts(experts, topK ? new TopKGate(soft, 2) : soft, mode);
        mixture.eval();
        return mixture;
    }

    [Theory]
    [InlineData(MixtureMode.Logits, false)]
    [InlineData(MixtureMode.Probabilities, false)]
    [InlineData(MixtureMode.Logits, true)]
    [InlineData(MixtureMode.Probabilities, true)]
    public void Serialize_Mixture_LogitsAndGateWeightsMatchTorchSharpWithin1e4(MixtureMode mode, bool topK)
    {
        using var scope = NewDisposeScope();
        using var mixture = Mixture(mode, topK);
        var (x, _) = SyntheticImages.Make(8, seed: 12);

        var onnx = Run(OnnxExport.Serialize(mixture), x);

        using var noGrad = no_grad();
        var expected = mixture.ForwardDetailed(x);
        onnx.Keys.Should().BeEquivalentTo(["logits", "gate_weights"]);
        onnx["logits"].Zip(expected.Logits.data<float>().ToArray()).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(1e-4f);
        onnx["gate_weights"].Zip(expected.GateWeights.data<float>().ToArray()).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(1e-5f);
        if (topK)
        {
            onnx["gate_weights"].Chunk(3).Should().OnlyContain(row => row.Count(w => w == 0) == 1, "a top-2 gate over 3 experts gives one expert no weight");
        }
    }

    [Fact]
    public void Serialize_Mixture_MetadataListsTheExpertsInGateOrder()
    {
        using var mixture = Mixture(MixtureMode.Logits, topK: false);
        using var session = new InferenceSession(OnnxExport.Serialize(mixture));

        session.ModelMetadata.CustomMetadataMap["dwf.kind"].Should().Be("mixture");
        session.ModelMetadata.CustomMetadataMap["dwf.experts"].Should().Be("clean-1,fgsm-1,pgd-1");
        session.OutputMetadata["gate_weights"].Dimensions.Should().Equal(-1, 3);
    }

    [Fact]
    public void Serialize_MixtureWithACustomExpert_RefusedNamingIt()
    {
        using var mixture = new MixtureOfExperts([new Expert(new ResNet18(4, 0.125), "a", 4), new Expert(new TinyCnn(4, seed: 1), "b", 4)]);

        var act = () => OnnxExport.Serialize(mixture);

        act.Should().Throw<NotSupportedException>().WithMessage("*experts.1 is a TinyCnn*");
    }
}
