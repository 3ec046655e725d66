using static TorchSharp.torch;

namespace Dwf.Robustness.Experts;

/// <summary>
/// A classifier the library can train, attack, save and combine in a <see cref="Moe.MixtureOfExperts"/>. Its
/// module takes float images [B,C,H,W] in [0,1] (normalization inside) and returns logits [B,K].
/// </summary>
public interface IExpert
{
    /// <summary>The network; logits out.</summary>
    nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>A display name, unique within a mixture (e.g. <c>pgd-2</c>).</summary>
    string Name { get; }

    /// <summary>Number of classes K.</summary>
    int NumClasses { get; }

    /// <summary>What the expert was trained for.</summary>
    ExpertKind Kind { get; }
}
