using Dwf.Robustness.Numerics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Experts;

/// <summary>
/// The CIFAR ResNets this library builds, as one class with configurations (as torchvision's <c>ResNet</c> is one class
/// behind <c>resnet18()</c>): input normalization, a 3×3 stride-1 stem (with BatchNorm and ReLU for post-activation
/// networks), stages of residual blocks from a <see cref="BlockFactory"/>, for pre-activation networks a final BatchNorm
/// and ReLU, global average pooling and a linear head. <see cref="ResNet18"/>, <see cref="PreActResNet18"/> and
/// <see cref="CifarResNet"/> are its configurations; submodule names (normalize, conv1, bn1, layer1…, bn, linear) follow
/// the common PyTorch CIFAR ResNets, so state dicts are key-compatible.
/// </summary>
public abstract class ResNet : nn.Module<Tensor, Tensor>
{
    private readonly InputNormalization normalize;
    private readonly ChannelsLastConv2d conv1;
    private readonly BatchNorm2d? bn1;
    private readonly Sequential[] layers;
    private readonly BatchNorm2d? bn;
    private readonly Linear linear;

    /// <summary>Builds and registers the network's modules in state-dict order.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="numClasses">Outputs.</param>
    /// <param name="width">Width multiplier (recorded; <paramref name="planes"/> already applies it).</param>
    /// <param name="mean">Per-channel input mean; CIFAR-10's when null.</param>
    /// <param name="std">Per-channel input std; CIFAR-10's when null.</param>
    /// <param name="planes">Channels of each stage (the stem has the first stage's).</param>
    /// <param name="strides">Stride of each stage's first block.</param>
    /// <param name="blocks">Blocks per stage.</param>
    /// <param name="block">Builds every residual block.</param>
    /// <param name="preActivation">True: no BatchNorm in the stem, a final BatchNorm and ReLU (PreAct ResNet).</param>
    private protected ResNet(string name, int numClasses, double width, IReadOnlyList<double>? mean, IReadOnlyList<double>? std,
        long[] planes, long[] strides, int blocks, BlockFactory block, bool preActivation)
        : base(name)
    {
        NumClasses = numClasses;
        Width = width;
        normalize = new InputNormalization(mean, std);
        register_module(nameof(normalize), normalize);
        conv1 = new ChannelsLastConv2d(3, planes[0], 3, stride: 1, padding: 1, bias: false);
        register_module(nameof(conv1), conv1);
        if (!preActivation)
        {
            bn1 = nn.BatchNorm2d(planes[0]);
            register_module(nameof(bn1), bn1);
        }

        layers = new Sequential[planes.Length];
        for (int s = 0; s < planes.Length; s++)
        {
            long inPlanes = s == 0 ? planes[0] : planes[s - 1];
            layers[s] = nn.Sequential(Enumerable.Range(0, blocks).Select(i => block(i == 0 ? inPlanes : planes[s], planes[s], i == 0 ? strides[s] : 1)).ToArray());
            register_module($"layer{s + 1}", layers[s]);
        }

        if (preActivation)
        {
            bn = nn.BatchNorm2d(planes[^1]);
            register_module(nameof(bn), bn);
        }

        linear = nn.Linear(planes[^1], numClasses);
        register_module(nameof(linear), linear);
    }

    /// <summary>Number of outputs.</summary>
    public int NumClasses { get; }

    /// <summary>Width multiplier.</summary>
    public double Width { get; }

    /// <summary>The input normalization's per-channel means.</summary>
    public IReadOnlyList<double> Mean => normalize.Mean;

    /// <summary>The input normalization's per-channel standard deviations.</summary>
    public IReadOnlyList<double> Std => normalize.Std;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = conv1.call(normalize.call(input));
        if (bn1 is not null)
        {
            h = bn1.call(h).relu_(); // in place on BatchNorm's output (see BasicBlock)
        }

        foreach (var layer in layers)
        {
            h = layer.call(h);
        }

        if (bn is not null)
        {
            h = bn.call(h).relu_();
        }

        h = nn.functional.adaptive_avg_pool2d(h, 1).flatten(1); // = avg_pool2d(4) on the 4×4 maps of 32×32 inputs
        return linear.call(h).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            normalize.Dispose();
            conv1.Dispose();
            bn1?.Dispose();
            foreach (var layer in layers)
            {
                layer.Dispose();
            }

            bn?.Dispose();
            linear.Dispose();
        }

        base.Dispose(disposing);
    }
}
