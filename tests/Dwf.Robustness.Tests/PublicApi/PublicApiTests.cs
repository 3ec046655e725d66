using System.Reflection;
using Dwf.Robustness.Tests.TestSupport;
using PublicApiGenerator;

namespace Dwf.Robustness.Tests.PublicApi;

/// <summary>
/// The public API of every package, approved in a text file beside this test: an API change fails here until the
/// new API is reviewed and approved (copy the <c>.received.txt</c> this test writes over the <c>.approved.txt</c>).
/// </summary>
public class PublicApiTests
{
    public static TheoryData<string> Assemblies => ["Dwf.Robustness", "Dwf.Robustness.PyTorch", "Dwf.Robustness.Testing", "Dwf.Robustness.Plotting", "Dwf.Robustness.Images", "Dwf.Robustness.Images.Decoding", "Dwf.Robustness.Onnx", "Dwf.Robustness.Serving"];

    private static Assembly Find(string name) => name switch
    {
        "Dwf.Robustness" => typeof(Dwf.Robustness.Moe.MixtureOfExperts).Assembly,
        "Dwf.Robustness.PyTorch" => typeof(Dwf.Robustness.PyTorch.PyTorchWeights).Assembly,
        "Dwf.Robustness.Plotting" => typeof(Dwf.Robustness.Plotting.ReportPlot).Assembly,
        "Dwf.Robustness.Images" => typeof(Dwf.Robustness.Images.ImageFolder).Assembly,
        "Dwf.Robustness.Images.Decoding" => typeof(Dwf.Robustness.Images.SquareImage).Assembly,
        "Dwf.Robustness.Onnx" => typeof(Dwf.Robustness.Onnx.OnnxExport).Assembly,
        "Dwf.Robustness.Serving" => typeof(Dwf.Robustness.Serving.OnnxClassifier).Assembly,
        _ => typeof(LeakCheck).Assembly,
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void PublicApi_Package_MatchesApprovedFile(string name)
    {
        string api = Find(name).GeneratePublicApi(new ApiGeneratorOptions
        {
            ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute"],
        }).ReplaceLineEndings("\n");
        string folder = Path.Combine(PythonTorchFactAttribute.Folder, "..", "tests", "Dwf.Robustness.Tests", "PublicApi");
        string approved = Path.Combine(folder, $"{name}.approved.txt");
        string received = Path.Combine(folder, $"{name}.received.txt");
        string? expected = File.Exists(approved) ? File.ReadAllText(approved).ReplaceLineEndings("\n") : null;
        if (expected == api)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, api);
        var changed = expected is null ? ["(no approved file yet)"] : api.Split('\n').Except(expected.Split('\n')).Take(10).ToArray();
        Assert.Fail($"The public API of {name} differs from {approved}. Review {received} and, if the change is intended, copy it over the approved file. New or changed lines: {string.Join(" | ", changed)}");
    }
}
