using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dwf.Robustness.Moe;

namespace Dwf.Robustness.Persistence;

/// <summary>
/// A model file's description, saved as JSON beside its weights (<c>&lt;weights&gt;.manifest.json</c>): what it is,
/// the architecture, width, classes and normalization of every expert, the gate's type and settings, the mixing
/// mode and the library version — so <see cref="SavedModel"/> rebuilds the model without user code.
/// </summary>
/// <param name="SchemaVersion">Manifest format version; <see cref="CurrentSchemaVersion"/>.</param>
/// <param name="Kind">An expert or a mixture.</param>
/// <param name="Library">The library version that wrote it.</param>
/// <param name="Experts">The expert (one, for <see cref="ModelKind.Expert"/>) or the mixture's experts in gate order.</param>
/// <param name="Gate">The mixture's gate; null for an expert.</param>
/// <param name="Mode">The mixture's mixing mode; null for an expert.</param>
/// <param name="WeightsSha256">SHA-256 of the weights file (lower-case hex) the manifest was written with, so that a
/// manifest and its weights are one unit; null only in schema-1 manifests, written before it existed.</param>
/// <param name="ManifestSha256">SHA-256 of this manifest's own JSON written with this entry null: an entry edited after
/// saving (a mean, the mode, a temperature, a name) is refused instead of giving another model from the same weights.
/// Null only in schema-1 manifests.</param>
/// <param name="Soe">A Synergy-of-Experts model's description; null (and absent from the JSON) for every other kind.</param>
/// <param name="AdvMoe">An ADVMoE network's description; null (and absent from the JSON) for every other kind.</param>
/// <param name="ClassNames">The name of every class in label order (an image folder's sub-folder names), when the model
/// was saved with them; null (and absent from the JSON) otherwise.</param>
/// <param name="ImageSize">The side of the square images the model was trained on, when it was saved with it (what an
/// export or a server resizes requests to); null (and absent from the JSON) otherwise.</param>
public sealed record ModelManifest(
    int SchemaVersion,
    ModelKind Kind,
    string Library,
    IReadOnlyList<ExpertManifest> Experts,
    GateManifest? Gate,
    MixtureMode? Mode,
    string? WeightsSha256 = null,
    string? ManifestSha256 = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SoeManifest? Soe = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AdvMoeManifest? AdvMoe = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? ClassNames = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ImageSize = null)
{
    /// <summary>Largest <see cref="ImageSize"/> a manifest may record.</summary>
    public const int MaxImageSize = 4096;

    /// <summary>The manifest format this library writes: 2 adds <see cref="WeightsSha256"/>. Schema 1 is still read.</summary>
    public const int CurrentSchemaVersion = 2;

    /// <summary>Most experts a manifest may list.</summary>
    public const int MaxExperts = 1024;

    /// <summary>Longest class name a manifest may hold (characters).</summary>
    public const int MaxClassNameLength = 256;

    /// <summary>
    /// Whether <paramref name="name"/> can be a class name of a manifest or an ONNX export: 1 to
    /// <see cref="MaxClassNameLength"/> characters, not all of them white space, none of them a control character (names
    /// are listed one per line, as in ONNX metadata, and shown to people). The one rule of every place that takes class
    /// names (<see cref="ClassNameRule"/> says it in words).
    /// </summary>
    /// <param name="name">A candidate class name, e.g. a folder's name.</param>
    /// <returns>True when a manifest can hold it.</returns>
    public static bool IsClassName(string? name) =>
        name is { Length: > 0 and <= MaxClassNameLength } && !string.IsNullOrWhiteSpace(name) && !name.Any(char.IsControl);

    /// <summary>The rule of <see cref="IsClassName"/> in words, for error messages.</summary>
    public static string ClassNameRule { get; } = $"1 to {MaxClassNameLength} characters, not all white space, without control characters";

    /// <summary>Why <paramref name="name"/> cannot be a class name, naming it (control characters shown as <c>\uXXXX</c>) and the rule; null when it can.</summary>
    /// <param name="name">A candidate class name.</param>
    /// <returns>E.g. <c>'a\u000ab' is not a class name (1 to 256 characters, …)</c>, or null.</returns>
    public static string? ClassNameProblem(string? name) => IsClassName(name) ? null
        : $"'{string.Concat((name ?? "").Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()))}' is not a class name ({ClassNameRule})";

    /// <summary>Largest manifest file read (a manifest is a few kilobytes; a bigger file is refused unread).</summary>
    public const long MaxFileBytes = 1 << 20;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
    };

    /// <summary>The manifest path of the weights file <paramref name="weights"/>.</summary>
    /// <param name="weights">The weights file.</param>
    public static string PathFor(string weights) => weights + ".manifest.json";

    /// <summary>Describes one expert.</summary>
    /// <param name="expert">The expert.</param>
    public static ModelManifest Of(Dwf.Robustness.Experts.IExpert expert) =>
        new(CurrentSchemaVersion, ModelKind.Expert, LibraryVersion, [ExpertManifest.Of(expert)], null, null);

    /// <summary>This manifest tied to the weights file bytes <paramref name="weights"/> (their SHA-256).</summary>
    /// <param name="weights">The weights file's content.</param>
    public ModelManifest For(ReadOnlySpan<byte> weights)
    {
        var tied = this with { SchemaVersion = CurrentSchemaVersion, WeightsSha256 = Sha256Of(weights), ManifestSha256 = null };
        return tied with { ManifestSha256 = tied.OwnHash() };
    }

    /// <summary>The SHA-256 of this manifest's JSON with <see cref="ManifestSha256"/> null.</summary>
    private string OwnHash() => Sha256Of(System.Text.Encoding.UTF8.GetBytes((this with { ManifestSha256 = null }).ToJson()));

    /// <summary>The SHA-256 of <paramref name="bytes"/> as lower-case hex, the form manifests record.</summary>
    internal static string Sha256Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant();

    /// <summary>Describes a mixture: every expert, the gate and the mixing mode.</summary>
    /// <param name="mixture">The mixture.</param>
    public static ModelManifest Of(MixtureOfExperts mixture)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        return new(CurrentSchemaVersion, ModelKind.Mixture, LibraryVersion, mixture.Experts.Select(ExpertManifest.Of).ToArray(), GateManifest.Of(mixture.Gate), mixture.Mode);
    }

    /// <summary>Describes a Synergy-of-Experts model (built by <c>Defenses.SavedDefense</c>, which knows the model type).</summary>
    /// <param name="soe">Its description.</param>
    public static ModelManifest Of(SoeManifest soe) =>
        new(CurrentSchemaVersion, ModelKind.SynergyOfExperts, LibraryVersion, [], null, null, Soe: soe ?? throw new ArgumentNullException(nameof(soe)));

    /// <summary>Describes an ADVMoE network (built by <c>Defenses.SavedDefense</c>, which knows the model type).</summary>
    /// <param name="advMoe">Its description.</param>
    public static ModelManifest Of(AdvMoeManifest advMoe) =>
        new(CurrentSchemaVersion, ModelKind.AdvMoe, LibraryVersion, [], null, null, AdvMoe: advMoe ?? throw new ArgumentNullException(nameof(advMoe)));

    /// <summary>The library version written into manifests.</summary>
    public static string LibraryVersion =>
        typeof(ModelManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>This manifest as indented JSON (camelCase, enums by name).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads and checks the manifest at <paramref name="path"/>; every value is range-checked before anything is built from it.</summary>
    /// <param name="path">A manifest file.</param>
    /// <exception cref="FileNotFoundException">No file.</exception>
    /// <exception cref="InvalidDataException">Too large, not JSON, another schema, or a value out of range — naming the file and the entry.</exception>
    public static ModelManifest Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"No model manifest at '{path}'. Models saved with SavedModel.Save have one beside their weights; for weights without one, rebuild the module and use ModelFile.Load.", path);
        }

        if (info.Length > MaxFileBytes)
        {
            throw new InvalidDataException($"'{path}' is {info.Length} bytes; a model manifest is at most {MaxFileBytes}. It is not a manifest; nothing was read.");
        }

        if (info.Length == 0)
        {
            // A FIFO or device reports length 0, as an empty file does: opening a FIFO blocks, a device never ends.
            throw new InvalidDataException($"'{path}' is empty or not a regular file (a FIFO or device?); a model manifest is a JSON file. Nothing was read.");
        }

        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(ReadBounded(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid model manifest: {e.Message}", e);
        }

        if (manifest is null)
        {
            throw new InvalidDataException($"'{path}' holds no manifest (the JSON is null).");
        }

        manifest.Validate(path);
        if (manifest.ManifestSha256 is { } saved && manifest.OwnHash() != saved)
        {
            throw new InvalidDataException(
                $"'{path}' was changed after it was written: its entries no longer match its manifestSha256, and an edited entry (a mean, the mode, a temperature, a name) " +
                "would give another model from the same weights. Save the model again instead of editing its manifest. Nothing was built.");
        }

        return manifest;
    }

    private static bool IsSha256(string? hex) => hex is { Length: 64 } && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>The file's text, reading at most <see cref="MaxFileBytes"/> bytes whatever its size claimed.</summary>
    private static string ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        var buffer = new byte[MaxFileBytes + 1];
        int total = 0, read;
        while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
        {
            total += read;
        }

        if (total > MaxFileBytes)
        {
            throw new InvalidDataException($"'{path}' holds more than {MaxFileBytes} bytes; a model manifest is a few kilobytes. Nothing was built.");
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming the first entry that cannot be right.</summary>
    /// <param name="file">The manifest's path, for messages.</param>
    public void Validate(string file)
    {
        ManifestChecks.Require(SchemaVersion is 1 or CurrentSchemaVersion, file, "schemaVersion", SchemaVersion, $"1 or {CurrentSchemaVersion} (this library reads those)");
        ManifestChecks.Require(SchemaVersion == 1 ? WeightsSha256 is null : IsSha256(WeightsSha256), file, "weightsSha256", WeightsSha256,
            SchemaVersion == 1 ? "absent in schema 1" : "the weights file's SHA-256, 64 lower-case hex digits");
        ManifestChecks.Require(SchemaVersion == 1 ? ManifestSha256 is null : IsSha256(ManifestSha256), file, "manifestSha256", ManifestSha256,
            SchemaVersion == 1 ? "absent in schema 1" : "the manifest's own SHA-256, 64 lower-case hex digits");
        ManifestChecks.Require(Enum.IsDefined(Kind), file, "kind", Kind, $"one of {string.Join(", ", Enum.GetNames<ModelKind>())}");
        ManifestChecks.Require(Kind == ModelKind.SynergyOfExperts ? Soe is not null : Soe is null, file, "soe", Kind == ModelKind.SynergyOfExperts ? null : "present",
            Kind == ModelKind.SynergyOfExperts ? "the model's description" : $"absent for kind {Kind}");
        ManifestChecks.Require(Kind == ModelKind.AdvMoe ? AdvMoe is not null : AdvMoe is null, file, "advMoe", Kind == ModelKind.AdvMoe ? null : "present",
            Kind == ModelKind.AdvMoe ? "the model's description" : $"absent for kind {Kind}");
        ManifestChecks.Require(ImageSize is null or (>= 1 and <= MaxImageSize), file, "imageSize", ImageSize, $"absent, or the side of the training images, 1 to {MaxImageSize} pixels");
        ManifestChecks.Require(ClassNames is null || (ClassNames.Count is >= 2 and <= ExpertManifest.MaxClasses && ClassNames.All(IsClassName)),
            file, "classNames", ClassNames?.Count, $"absent, or 2 to {ExpertManifest.MaxClasses} names, each {ClassNameRule} (a line break would split a name where names are listed, as in ONNX metadata)");
        if (Kind is ModelKind.SynergyOfExperts or ModelKind.AdvMoe)
        {
            ManifestChecks.Require(Experts is { Count: 0 } && Gate is null && Mode is null, file, "experts", Experts?.Count, $"an empty list, without gate or mode, for kind {Kind}");
            Soe?.Validate(file);
            AdvMoe?.Validate(file);
            int classes = Soe?.NumClasses ?? AdvMoe!.NumClasses;
            ManifestChecks.Require(ClassNames is null || ClassNames.Count == classes, file, "classNames", ClassNames?.Count, $"one name per class ({classes})");
            return;
        }

        ManifestChecks.Require(Experts is not null && Experts.Count >= 1 && Experts.Count <= MaxExperts, file, "experts", Experts?.Count, $"a list of 1 to {MaxExperts} experts");
        for (int i = 0; i < Experts!.Count; i++)
        {
            ManifestChecks.Require(Experts[i] is not null, file, $"experts[{i}]", null, "an expert");
            Experts[i].Validate(file, $"experts[{i}]");
        }

        ManifestChecks.Require(ClassNames is null || ClassNames.Count == Experts[0].NumClasses, file, "classNames", ClassNames?.Count, $"one name per class ({Experts[0].NumClasses})");
        if (Kind == ModelKind.Expert)
        {
            ManifestChecks.Require(Experts.Count == 1, file, "experts", Experts.Count, "exactly 1 for an expert");
            ManifestChecks.Require(Gate is null && Mode is null, file, "gate", Gate?.Type, "absent for an expert");
            return;
        }

        var repeated = Experts.GroupBy(e => e.Name).FirstOrDefault(g => g.Count() > 1)?.Key;
        ManifestChecks.Require(repeated is null, file, "experts[].name", repeated, "unique within the mixture");
        var odd = Experts.FirstOrDefault(e => e.NumClasses != Experts[0].NumClasses);
        ManifestChecks.Require(odd is null, file, $"experts['{odd?.Name}'].numClasses", odd?.NumClasses, $"the same for every expert ({Experts[0].NumClasses}, as '{Experts[0].Name}')");
        ManifestChecks.Require(Mode is { } m && Enum.IsDefined(m), file, "mode", Mode, $"one of {string.Join(", ", Enum.GetNames<MixtureMode>())}");
        ManifestChecks.Require(Gate is not null, file, "gate", null, "the mixture's gate");
        Gate!.Validate(file, Experts.Count);
    }
}
