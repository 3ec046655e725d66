using Dwf.Robustness.Defenses.AdvMoe;
using Dwf.Robustness.Defenses.Soe;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Persistence;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses;

/// <summary>
/// The rival defenses saved and loaded as <see cref="SavedModel"/> saves experts and mixtures: the weights with a
/// <see cref="ModelManifest"/> beside them (SHA-256 of both, the description range-checked and sized against the
/// weights before anything is built), so no caller repeats a recipe to load one. <see cref="LoadClassifier"/> loads a
/// model file of any kind. A new defense's persistence is its manifest record in Persistence/, its
/// <see cref="ModelKind"/> member and its two lines here.
/// </summary>
public static class SavedDefense
{
    /// <summary>Saves <paramref name="model"/>'s weights to <paramref name="path"/> and its manifest beside them.</summary>
    /// <param name="model">A Synergy-of-Experts model whose members are all <see cref="CifarResNet"/> or all <see cref="ResNet18"/> with one configuration (as <see cref="SynergyOfExperts.ResNet20"/> and <see cref="SynergyOfExperts.ResNet18"/> build them).</param>
    /// <param name="path">The weights file.</param>
    /// <param name="classNames">The name of every class in label order, kept in the manifest (<see cref="ModelManifest.ClassNames"/>); none when null.</param>
    /// <param name="imageSize">The side of the square images it was trained on, kept in the manifest (<see cref="ModelManifest.ImageSize"/>); none when null.</param>
    /// <exception cref="NotSupportedException">Members a manifest cannot describe; save those with <see cref="ModelFile.Save"/>.</exception>
    /// <exception cref="ArgumentException">Not one class name per class, an empty or over-long name, or an image size outside 1 to <see cref="ModelManifest.MaxImageSize"/>.</exception>
    public static void Save(SynergyOfExperts model, string path, IReadOnlyList<string>? classNames = null, int? imageSize = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        SavedModel.Write(SavedModel.Labelled(ModelManifest.Of(Describe(model)), model.NumClasses, classNames, imageSize), model, path);
    }

    /// <summary>Saves <paramref name="model"/>'s weights to <paramref name="path"/> and its manifest beside them.</summary>
    /// <param name="model">An ADVMoE network.</param>
    /// <param name="path">The weights file.</param>
    /// <param name="classNames">The name of every class in label order, kept in the manifest (<see cref="ModelManifest.ClassNames"/>); none when null.</param>
    /// <param name="imageSize">The side of the square images it was trained on, kept in the manifest (<see cref="ModelManifest.ImageSize"/>); none when null.</param>
    /// <exception cref="ArgumentException">Not one class name per class, an empty or over-long name, or an image size outside 1 to <see cref="ModelManifest.MaxImageSize"/>.</exception>
    public static void Save(AdvMoeResNet18 model, string path, IReadOnlyList<string>? classNames = null, int? imageSize = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var manifest = ModelManifest.Of(new AdvMoeManifest(model.NumClasses, model.Experts, model.Width, model.Ratio, model.RouterWidth, model.Mean, model.Std));
        SavedModel.Write(SavedModel.Labelled(manifest, model.NumClasses, classNames, imageSize), model, path);
    }

    /// <summary>Rebuilds the Synergy-of-Experts model saved at <paramref name="path"/>, in eval mode on <paramref name="device"/>.</summary>
    /// <param name="path">The weights file; its manifest is <see cref="ModelManifest.PathFor"/>.</param>
    /// <param name="device">Where the model lives; the CPU when null.</param>
    /// <param name="logger">Told when a manifest predates weight hashes.</param>
    /// <exception cref="InvalidDataException">The manifest is another kind's, is damaged, or does not match the weights.</exception>
    public static SynergyOfExperts LoadSoe(string path, Device? device = null, ILogger? logger = null) =>
        SavedModel.Load(path, ModelKind.SynergyOfExperts, m => Build(m.Soe!), m => m, device, logger);

    /// <summary>Rebuilds the ADVMoE network saved at <paramref name="path"/>, in eval mode on <paramref name="device"/>.</summary>
    /// <param name="path">The weights file; its manifest is <see cref="ModelManifest.PathFor"/>.</param>
    /// <param name="device">Where the model lives; the CPU when null.</param>
    /// <param name="logger">Told when a manifest predates weight hashes.</param>
    /// <exception cref="InvalidDataException">The manifest is another kind's, is damaged, or does not match the weights.</exception>
    public static AdvMoeResNet18 LoadAdvMoe(string path, Device? device = null, ILogger? logger = null) =>
        SavedModel.Load(path, ModelKind.AdvMoe, m => new AdvMoeResNet18(m.AdvMoe!.NumClasses, m.AdvMoe.Experts, m.AdvMoe.Width, m.AdvMoe.Ratio, m.AdvMoe.RouterWidth, m.AdvMoe.Mean, m.AdvMoe.Std), m => m, device, logger);

    /// <summary>Rebuilds whatever model is saved at <paramref name="path"/> — an expert, a mixture, or a rival defense — as a classifier ([0,1] images → logits), in eval mode.</summary>
    /// <param name="path">The weights file; its manifest is <see cref="ModelManifest.PathFor"/>.</param>
    /// <param name="device">Where the model lives; the CPU when null.</param>
    /// <param name="logger">Told when a manifest predates weight hashes.</param>
    /// <exception cref="FileNotFoundException">No manifest beside the weights.</exception>
    /// <exception cref="InvalidDataException">The manifest is damaged or does not match the weights.</exception>
    public static nn.Module<Tensor, Tensor> LoadClassifier(string path, Device? device = null, ILogger? logger = null) =>
        ModelManifest.Read(ModelManifest.PathFor(path)).Kind switch
        {
            ModelKind.Expert => SavedModel.LoadExpert(path, device, logger).Module,
            ModelKind.Mixture => SavedModel.LoadMixture(path, device, logger),
            ModelKind.SynergyOfExperts => LoadSoe(path, device, logger),
            ModelKind.AdvMoe => LoadAdvMoe(path, device, logger),
            var kind => throw new InvalidDataException($"'{path}' holds a model of kind {kind}, which this library version cannot load."),
        };

    /// <summary>A Synergy-of-Experts model's description, from its members.</summary>
    private static SoeManifest Describe(SynergyOfExperts model)
    {
        var members = model.MemberModules;
        var first = members[0];
        SoeManifest Of(ResNet r, SoeMemberArchitecture architecture, int depth) =>
            new(model.Members, model.NumClasses, architecture, depth, r.Width, model.SurrogateTemperature, r.Mean.ToArray(), r.Std.ToArray());
        var manifest = first switch
        {
            CifarResNet c => Of(c, SoeMemberArchitecture.CifarResNet, c.Depth),
            ResNet18 r => Of(r, SoeMemberArchitecture.ResNet18, 18),
            _ => null,
        };
        bool alike = manifest is not null && members.All(m => m.GetType() == first.GetType() && m is ResNet r && r.NumClasses == model.NumClasses + 1 &&
            r.Width == manifest.Width && r.Mean.SequenceEqual(manifest.Mean) && r.Std.SequenceEqual(manifest.Std) && (m is not CifarResNet c || c.Depth == manifest.Depth));
        return alike
            ? manifest!
            : throw new NotSupportedException(
                $"The SoE members ({string.Join(", ", members.Select(m => m.GetType().Name).Distinct())}) are not all CifarResNet or all ResNet18 of one configuration with {model.NumClasses + 1} outputs, which a manifest cannot describe. " +
                "Save the weights with ModelFile.Save and rebuild the members in your code before ModelFile.Load.");
    }

    private static SynergyOfExperts Build(SoeManifest soe) => new(
        Enumerable.Range(0, soe.Members).Select(_ => soe.Architecture == SoeMemberArchitecture.ResNet18
            ? (nn.Module<Tensor, Tensor>)new ResNet18(soe.NumClasses + 1, soe.Width, soe.Mean, soe.Std)
            : new CifarResNet(soe.NumClasses + 1, soe.Depth, soe.Width, soe.Mean, soe.Std)).ToArray(),
        soe.NumClasses, soe.SurrogateTemperature);
}
