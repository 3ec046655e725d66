using Dwf.Robustness.Numerics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Experts;

/// <summary>
/// ResNet-18 for 32×32 inputs (the CIFAR variant): input normalization, 3×3 stride-1 stem without max-pool, BasicBlocks
/// [2,2,2,2] with widths 64/128/256/512 × <see cref="Width"/>, global average pooling and a linear head. Takes [0,1]
/// images. Submodule names (conv1, bn1, layer1…layer4, linear, shortcut) follow the common PyTorch CIFAR ResNet so
/// state dicts are key-compatible. At width 1.0 with 10 classes it has 11,173,962 parameters.
/// </summary>
public sealed class ResNet18 : nn.Module<Tensor, Tensor>
{
    private readonly InputNormalization normalize;
    private readonly ChannelsLastConv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly Linear linear;

    /// <summary>Creates the network with freshly initialized weights.</summary>
    /// <param name="numClasses">Output classes.</param>
    /// <param name="width">Width multiplier (0.25 gives 16/32/64/128 channels).</param>
    /// <param name="mean">Per-channel input mean; CIFAR-10's when null.</param>
    /// <param name="std">Per-channel input std; CIFAR-10's when null.</param>
    /// <param name="block">Builds every residual block; <see cref="BasicBlock"/> when null.</param>
    public ResNet18(int numClasses = 10, double width = 1.0, IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null, BlockFactory? block = null)
        : base(nameof(ResNet18))
    {
        block ??= static (inPlanes, planes, stride) => new BasicBlock(inPlanes, planes, stride);
        long[] planes = ResNetWidth.Planes(numClasses, width, "ResNet-18");
        NumClasses = numClasses;
        Width = width;
        normalize = new InputNormalization(mean, std);
        conv1 = new ChannelsLastConv2d(3, planes[0], 3, stride: 1, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(planes[0]);
        layer1 = Layer(block, planes[0], planes[0], 1);
        layer2 = Layer(block, planes[0], planes[1], 2);
        layer3 = Layer(block, planes[1], planes[2], 2);
        layer4 = Layer(block, planes[2], planes[3], 2);
        linear = nn.Linear(planes[3], numClasses);
        RegisterComponents();
    }

    /// <summary>Number of classes.</summary>
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
        var h = bn1.call(conv1.call(normalize.call(input))).relu_(); // in place on BatchNorm's output (see BasicBlock)
        h = layer4.call(layer3.call(layer2.call(layer1.call(h))));
        h = nn.functional.adaptive_avg_pool2d(h, 1).flatten(1);
        return linear.call(h).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            normalize.Dispose();
            conv1.Dispose();
            bn1.Dispose();
            layer1.Dispose();
            layer2.Dispose();
            layer3.Dispose();
            layer4.Dispose();
            linear.Dispose();
        }

        base.Dispose(disposing);
    }

    private static Sequential Layer(BlockFactory block, long inPlanes, long planes, long stride) =>
        nn.Sequential(block(inPlanes, planes, stride), block(planes, planes, 1));
}
