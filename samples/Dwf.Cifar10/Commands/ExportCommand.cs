using System.CommandLine;
using Dwf.Robustness.Onnx;
using Dwf.Robustness.Persistence;

namespace Dwf.Cifar10.Commands;

/// <summary>
/// <c>export</c>: a trained expert or mixture of a run folder (weights with their manifest) as an ONNX file for
/// <c>samples/Serve</c> and ONNX Runtime, with the class names the manifest recorded (an image folder's) and the
/// image size the model was trained at. Needs no data and trains nothing.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The weights file (e.g. runs/cpu-small/joint/dwf.bin); its .manifest.json must be beside it", Required = true };
        var output = new Option<string>("--out") { Description = "The .onnx file to write", Required = true };
        var size = new Option<int?>("--image-size") { Description = "Side of the images the model takes. Default: its manifest's imageSize, else the run folder's config.json when the model is in one, else 32" };
        var command = new Command("export", "Write a trained expert or mixture as ONNX (normalization inside, class names and image size as metadata) for serving with ONNX Runtime.")
        {
            model, output, size,
        };
        command.SetAction(p =>
        {
            try
            {
                string weights = p.GetValue(model)!;
                var manifest = ModelManifest.Read(ModelManifest.PathFor(weights));
                var options = new OnnxExportOptions { ImageSize = p.GetValue(size) ?? manifest.ImageSize ?? RunImageSize(weights), ClassNames = manifest.ClassNames };
                switch (manifest.Kind)
                {
                    case ModelKind.Expert:
                        var expert = SavedModel.LoadExpert(weights);
                        using (expert.Module)
                        {
                            OnnxExport.Save(expert, p.GetValue(output)!, options);
                        }

                        break;
                    case ModelKind.Mixture:
                        using (var mixture = SavedModel.LoadMixture(weights))
                        {
                            OnnxExport.Save(mixture, p.GetValue(output)!, options);
                        }

                        break;
                    default:
                        throw new ArgumentException($"'{weights}' is a {manifest.Kind} model; ONNX export covers experts and DWF mixtures.");
                }

                Console.WriteLine($"wrote {p.GetValue(output)} ({manifest.Kind}, {options.ImageSize}×{options.ImageSize}, {(manifest.ClassNames is { } n ? string.Join(", ", n) : "classes unnamed")})");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>The image size of the run folder holding <paramref name="weights"/> (<c>&lt;run&gt;/experts|joint/x.bin</c>), or the default.</summary>
    private static int RunImageSize(string weights)
    {
        string? run = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(weights)));
        string? config = run is null ? null : Path.Combine(run, "config.json");
        return config is not null && File.Exists(config) ? RunConfigJson.Read(File.ReadAllText(config), config).ImageSize ?? RunConfig.DefaultImageSize : RunConfig.DefaultImageSize;
    }
}
