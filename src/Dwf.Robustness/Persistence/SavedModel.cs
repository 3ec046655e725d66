using Dwf.Robustness.Experts;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Moe;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Robustness.Persistence;

/// <summary>
/// Models that describe themselves: <see cref="Save(IExpert, string, IReadOnlyList{string}, int?)"/> writes the weights (as <see cref="ModelFile"/>)
/// and a <see cref="ModelManifest"/> beside them; <see cref="LoadExpert"/> and <see cref="LoadMixture"/> rebuild the
/// model from the manifest — architecture, widths, classes, normalization, gate and mixing mode — and load the
/// weights, with no user code that has to repeat the recipe. The manifest records the SHA-256 of the weights file, so
/// the two are one unit: a changed byte in either file, or a manifest beside other weights, is refused on load. The
/// manifest is written first and the weights second, each atomically, so a crash leaves at worst a new manifest beside
/// old weights, which loading refuses. Before anything is built, the manifest is checked against the weights file's
/// table of contents (<see cref="ManifestSize"/>): a manifest cannot make the load allocate more than its weights hold.
/// </summary>
public static class SavedModel
{
    /// <summary>Saves <paramref name="expert"/>'s weights to <paramref name="path"/> and its manifest beside them.</summary>
    /// <param name="expert">A library-architecture expert.</param>
    /// <param name="path">The weights file.</param>
    /// <param name="classNames">The name of every class in label order, kept in the manifest (<see cref="ModelManifest.ClassNames"/>); none when null.</param>
    /// <param name="imageSize">The side of the square images it was trained on, kept in the manifest (<see cref="ModelManifest.ImageSize"/>); none when null.</param>
    /// <exception cref="NotSupportedException">A custom module (save it with <see cref="ModelFile.Save"/>).</exception>
    /// <exception cref="ArgumentException">Not one class name per class, an empty or over-long name, or an image size outside 1 to <see cref="ModelManifest.MaxImageSize"/>.</exception>
    public static void Save(IExpert expert, string path, IReadOnlyList<string>? classNames = null, int? imageSize = null)
    {
        ArgumentNullException.ThrowIfNull(expert);
        Write(Labelled(ModelManifest.Of(expert), expert.NumClasses, classNames, imageSize), expert.Module, path);
    }

    /// <summary>Saves <paramref name="mixture"/>'s weights (experts and gate) to <paramref name="path"/> and its manifest beside them.</summary>
    /// <param name="mixture">A mixture of library-architecture experts with a soft or top-k gate.</param>
    /// <param name="path">The weights file.</param>
    /// <param name="classNames">The name of every class in label order, kept in the manifest (<see cref="ModelManifest.ClassNames"/>); none when null.</param>
    /// <param name="imageSize">The side of the square images it was trained on, kept in the manifest (<see cref="ModelManifest.ImageSize"/>); none when null.</param>
    /// <exception cref="ArgumentException">Not one class name per class, an empty or over-long name, or an image size outside 1 to <see cref="ModelManifest.MaxImageSize"/>.</exception>
    public static void Save(MixtureOfExperts mixture, string path, IReadOnlyList<string>? classNames = null, int? imageSize = null)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        Write(Labelled(ModelManifest.Of(mixture), mixture.Experts[0].NumClasses, classNames, imageSize), mixture, path);
    }

    /// <summary><paramref name="manifest"/> with the class names and image size a caller of a Save method passed, each checked as a manifest read from disk would be.</summary>
    internal static ModelManifest Labelled(ModelManifest manifest, int numClasses, IReadOnlyList<string>? classNames, int? imageSize) =>
        WithImageSize(WithClassNames(manifest, classNames, numClasses), imageSize);

    /// <summary><paramref name="manifest"/> with <paramref name="imageSize"/>, checked as a manifest read from disk would be.</summary>
    private static ModelManifest WithImageSize(ModelManifest manifest, int? imageSize) =>
        imageSize is null or (>= 1 and <= ModelManifest.MaxImageSize)
            ? manifest with { ImageSize = imageSize }
            : throw new ArgumentException($"imageSize must be the side of the training images, 1 to {ModelManifest.MaxImageSize} pixels, or null; got {imageSize}.", nameof(imageSize));

    /// <summary><paramref name="manifest"/> with <paramref name="classNames"/>, checked as a manifest read from disk would be.</summary>
    private static ModelManifest WithClassNames(ModelManifest manifest, IReadOnlyList<string>? classNames, int numClasses)
    {
        if (classNames is null)
        {
            return manifest;
        }

        string? problem = classNames.Select(ModelManifest.ClassNameProblem).FirstOrDefault(p => p is not null);
        if (classNames.Count != numClasses || problem is not null)
        {
            throw new ArgumentException(
                $"classNames must hold one name ({ModelManifest.ClassNameRule}) per class ({numClasses}); got {classNames.Count} name(s)" +
                $"{(problem is null ? "" : $", and {problem}")}. Pass the dataset's ClassNames.",
                nameof(classNames));
        }

        return manifest with { ClassNames = classNames.ToArray() };
    }

    /// <summary>Rebuilds the expert saved at <paramref name="path"/>, in eval mode on <paramref name="device"/>.</summary>
    /// <param name="path">The weights file; its manifest is <see cref="ModelManifest.PathFor"/>.</param>
    /// <param name="device">Where the expert lives; the CPU when null.</param>
    /// <exception cref="InvalidDataException">The manifest is another kind's, is damaged, or does not match the weights.</exception>
    /// <param name="logger">Told when the manifest predates weight hashes (schema 1): such a file loads unchecked.</param>
    public static Expert LoadExpert(string path, Device? device = null, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        Load(path, ModelKind.Expert, m => m.Experts[0].Build(), e => e.Module, device, logger);

    /// <summary>Rebuilds the mixture saved at <paramref name="path"/>, in eval mode on <paramref name="device"/>.</summary>
    /// <param name="path">The weights file; its manifest is <see cref="ModelManifest.PathFor"/>.</param>
    /// <param name="device">Where the mixture lives; the CPU when null.</param>
    /// <exception cref="InvalidDataException">The manifest is another kind's, is damaged, or does not match the weights.</exception>
    /// <param name="logger">Told when the manifest predates weight hashes (schema 1): such a file loads unchecked.</param>
    public static MixtureOfExperts LoadMixture(string path, Device? device = null, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        Load(path, ModelKind.Mixture, m => new MixtureOfExperts(m.Experts.Select(e => (IExpert)e.Build()).ToList(), m.Gate!.Build(), m.Mode!.Value), m => m, device, logger);

    /// <summary>
    /// Rebuilds the model of <paramref name="kind"/> saved at <paramref name="path"/> with <paramref name="build"/>, loads
    /// its checked weights and puts it in eval mode on <paramref name="device"/>; disposed again if the load fails.
    /// </summary>
    internal static T Load<T>(string path, ModelKind kind, Func<ModelManifest, T> build, Func<T, nn.Module> module, Device? device, Microsoft.Extensions.Logging.ILogger? logger)
    {
        var (manifest, weights, entries) = Read(path, logger);
        if (manifest.Kind != kind)
        {
            throw new InvalidDataException($"'{path}' holds {Describe(manifest.Kind, manifest.Experts.Count)}, not {Describe(kind, 0)}; load it with {LoaderOf(manifest.Kind)} (or Defenses.SavedDefense.LoadClassifier, which loads any kind).");
        }

        var model = build(manifest);
        var built = module(model);
        try
        {
            ModelFile.Load(built, weights, entries, path);
            built.to(device ?? CPU);
            built.eval();
            return model;
        }
        catch
        {
            built.Dispose();
            throw;
        }
    }

    /// <summary>The weights serialized once, hashed into the manifest, the manifest written, then the weights (each atomically).</summary>
    internal static void Write(ModelManifest manifest, nn.Module module, string path)
    {
        byte[] weights = ModelFile.Serialize(module);
        AtomicFile.WriteAllText(ModelManifest.PathFor(path), manifest.For(weights).ToJson());
        AtomicFile.Write(path, stream => stream.Write(weights));
    }

    private static string Describe(ModelKind kind, int experts) => kind switch
    {
        ModelKind.Expert => "one expert",
        ModelKind.Mixture => experts > 0 ? $"a mixture of {experts} experts" : "a mixture of experts",
        ModelKind.SynergyOfExperts => "a Synergy-of-Experts model",
        ModelKind.AdvMoe => "an ADVMoE network",
        _ => kind.ToString(),
    };

    private static string LoaderOf(ModelKind kind) => kind switch
    {
        ModelKind.Expert => "SavedModel.LoadExpert",
        ModelKind.Mixture => "SavedModel.LoadMixture",
        ModelKind.SynergyOfExperts => "Defenses.SavedDefense.LoadSoe",
        ModelKind.AdvMoe => "Defenses.SavedDefense.LoadAdvMoe",
        _ => "Defenses.SavedDefense.LoadClassifier",
    };

    /// <summary>
    /// The manifest and the weights file's bytes, checked as one unit before anything is built: the weights' SHA-256
    /// against the manifest's, and the values the manifest's model needs at least against those the file holds. The table
    /// of contents is parsed once here and handed to the load.
    /// </summary>
    private static (ModelManifest Manifest, byte[] Weights, List<StateDictFile.Entry> Entries) Read(string path, Microsoft.Extensions.Logging.ILogger? logger)
    {
        string manifestPath = ModelManifest.PathFor(path);
        var manifest = ModelManifest.Read(manifestPath);
        byte[] weights = ModelFile.ReadAll(path, "model file");
        if (manifest.WeightsSha256 is { } expected)
        {
            string actual = ModelManifest.Sha256Of(weights);
            if (actual != expected)
            {
                throw new InvalidDataException(
                    $"'{path}' is not the weights file its manifest '{manifestPath}' was written with (SHA-256 {actual}, the manifest says {expected}): " +
                    "one of them was changed or belongs to another model. Nothing was loaded.");
            }
        }
        else
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
                "'{Manifest}' is a schema-1 manifest without the weights' SHA-256: '{Weights}' is loaded without checking that it belongs to it. Save the model again to add the hash.",
                manifestPath, path);
        }

        long needed = ManifestSize.MinimumElements(manifest);
        var entries = ModelFile.Contents(weights, path);
        long held = entries.Sum(e => e.Elements);
        if (needed > held)
        {
            throw new InvalidDataException(
                $"'{manifestPath}' describes a model of at least {needed} values, but '{path}' holds {held}: the manifest does not belong to these weights. Nothing was built.");
        }

        return (manifest, weights, entries);
    }
}
