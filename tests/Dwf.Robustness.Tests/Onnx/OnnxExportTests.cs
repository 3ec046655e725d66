using Dwf.Robustness.Experts;
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
}
