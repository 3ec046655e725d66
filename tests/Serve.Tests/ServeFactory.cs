using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Onnx;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using static TorchSharp.torch;

namespace Dwf.Serve.Tests;

/// <summary>The service on a small exported mixture (three width-0.125 ResNet-18 experts, a soft gate, four named classes, 16-pixel images), in the test host.</summary>
public sealed class ServeFactory : WebApplicationFactory<Program>
{
    public static readonly string[] Classes = ["cat", "dog", "ship", "truck"];

    private readonly string _model = Path.Combine(Path.GetTempPath(), $"dwf-serve-{Guid.NewGuid():N}.onnx");

    public ServeFactory()
    {
        manual_seed(1);
        using var mixture = new MixtureOfExperts(
            [new Expert(new ResNet18(4, 0.125), "clean-1", 4), new Expert(new ResNet18(4, 0.125), "fgsm-1", 4), new Expert(new ResNet18(4, 0.125), "pgd-1", 4)],
            new SoftGate(3, width: 4));
        mixture.eval();
        OnnxExport.Save(mixture, _model, new OnnxExportOptions { ImageSize = 16, ClassNames = Classes });
    }

    /// <summary>Request body limit the tests set (bytes).</summary>
    public const long MaxRequestBytes = 200_000;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Serve:Model", _model);
        builder.UseSetting("Serve:MaxRequestBytes", MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Serve:MaxImageSide", "1024");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        File.Delete(_model);
    }
}
