using Dwf.Robustness.Experts;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Robustness.Models;

/// <summary>
/// Models that describe themselves: <see cref="Save(IExpert, string)"/> writes the weights (as <see cref="ModelFile"/>)
/// and a <see cref="ModelManifest"/> beside them; <see cref="LoadExpert"/> and <see cref="LoadMixture"/> rebuild the
/// model from the manifest — architecture, widths, classes, normalization, gate and mixing mode — and load the
/// weights, with no user code that has to repeat the recipe. The manifest is written first and the weights second,
/// each atomically, so a crash leaves at worst a new manifest beside old weights, which loading refuses (every
/// name and shape is checked) rather than half-loading.
/// </summary>
public static class SavedModel
{
    /// <summary>Saves <paramref name="expert"/>'s weights to <paramref name="path"/> and its manifest beside them.</summary>
    /// <param name="expert">A library-architecture expert.</param>
    /// <param name="path">The weights file.</param>
    /// <exception cref="NotSupportedException">A custom module (save it with <see cref="ModelFile.Save"/>).</exception>
    public static void Save(IExpert expert, string path)
    {
        ArgumentNullException.ThrowIfNull(expert);
        var manifest = ModelManifest.Of(expert);
        AtomicFile.WriteAllText(ModelManifest.PathFor(path), manifest.ToJson());
        ModelFile.Save(expert.Module, path);
    }

    /// <summary>Saves <paramref name="mixture"/>'s weights (experts and gate) to <paramref name="path"/> and its manifest beside them.</summary>
    /// <param name="mixture">A mixture of library-architecture experts with a soft or top-k gate.</param>
    /// <param name="path">The weights file.</param>
    public static void Save(MixtureOfExperts mixture, string path)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        var manifest = ModelManifest.Of(mixture);
        AtomicFile.WriteAllText(ModelManifest.PathFor(path), manifest.ToJson());
        ModelFile.Save(mixture, path);
    }

    /// <summary>Rebuilds the expert saved at <paramref name="path"/>, in eval mode on <paramref name="device"/>.</summary>
    /// <param name="path">The weights file; its manifest is <see cref="ModelManifest.PathFor"/>.</param>
    /// <param name="device">Where the expert lives; the CPU when null.</param>
    /// <exception cref="InvalidDataException">The manifest is a mixture's, is damaged, or does not match the weights.</exception>
    public static Expert LoadExpert(string path, Device? device = null)
    {
        var manifest = ModelManifest.Read(ModelManifest.PathFor(path));
        if (manifest.Kind != ModelKind.Expert)
        {
            throw new InvalidDataException($"'{path}' holds a mixture of {manifest.Experts.Count} experts, not one expert; load it with SavedModel.LoadMixture.");
        }

        var expert = manifest.Experts[0].Build();
        try
        {
            ModelFile.Load(expert.Module, path);
            expert.Module.to(device ?? CPU);
            expert.Module.eval();
            return expert;
        }
        catch
        {
            expert.Module.Dispose();
            throw;
        }
    }

    /// <summary>Rebuilds the mixture saved at <paramref name="path"/>, in eval mode on <paramref name="device"/>.</summary>
    /// <param name="path">The weights file; its manifest is <see cref="ModelManifest.PathFor"/>.</param>
    /// <param name="device">Where the mixture lives; the CPU when null.</param>
    /// <exception cref="InvalidDataException">The manifest is an expert's, is damaged, or does not match the weights.</exception>
    public static MixtureOfExperts LoadMixture(string path, Device? device = null)
    {
        var manifest = ModelManifest.Read(ModelManifest.PathFor(path));
        if (manifest.Kind != ModelKind.Mixture)
        {
            throw new InvalidDataException($"'{path}' holds one expert, not a mixture; load it with SavedModel.LoadExpert.");
        }

        var mixture = new MixtureOfExperts(manifest.Experts.Select(e => (IExpert)e.Build()).ToList(), manifest.Gate!.Build(), manifest.Mode!.Value);
        try
        {
            ModelFile.Load(mixture, path);
            mixture.to(device ?? CPU);
            mixture.eval();
            return mixture;
        }
        catch
        {
            mixture.Dispose();
            throw;
        }
    }
}
