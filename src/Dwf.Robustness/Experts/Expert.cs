using static TorchSharp.torch;

namespace Dwf.Robustness.Experts;

/// <summary>Wraps any <c>Module&lt;Tensor, Tensor&gt;</c> that returns logits as an <see cref="IExpert"/>.</summary>
public sealed class Expert : IExpert
{
    /// <summary>Creates an expert.</summary>
    /// <param name="module">Takes [0,1] images, returns logits [B, <paramref name="numClasses"/>].</param>
    /// <param name="name">Display name.</param>
    /// <param name="numClasses">Number of classes.</param>
    /// <param name="kind">What it was (or will be) trained for.</param>
    public Expert(nn.Module<Tensor, Tensor> module, string name, int numClasses, ExpertKind kind = ExpertKind.Custom)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 2);
        Module = module;
        Name = name;
        NumClasses = numClasses;
        Kind = kind;
    }

    /// <summary>A CIFAR ResNet-18 expert.</summary>
    /// <param name="name">Display name.</param>
    /// <param name="kind">Training kind.</param>
    /// <param name="numClasses">Classes; 10 for CIFAR-10.</param>
    /// <param name="width">Width multiplier; 1.0 is the standard 11.2 M-parameter network.</param>
    /// <returns>A new expert with freshly initialized weights.</returns>
    public static Expert ResNet18(string name, ExpertKind kind, int numClasses = 10, double width = 1.0) =>
        new(new ResNet18(numClasses, width), name, numClasses, kind);

    /// <summary>A CIFAR PreAct ResNet-18 expert (the architecture of many public robust checkpoints).</summary>
    /// <param name="name">Display name.</param>
    /// <param name="kind">Training kind.</param>
    /// <param name="numClasses">Classes; 10 for CIFAR-10.</param>
    /// <param name="width">Width multiplier; 1.0 is the standard network.</param>
    /// <returns>A new expert with freshly initialized weights.</returns>
    public static Expert PreActResNet18(string name, ExpertKind kind, int numClasses = 10, double width = 1.0) =>
        new(new PreActResNet18(numClasses, width), name, numClasses, kind);

    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int NumClasses { get; }

    /// <inheritdoc />
    public ExpertKind Kind { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Kind})";
}
