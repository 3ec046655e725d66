using Dwf.Robustness.Numerics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Experts;

/// <summary>
/// PreAct ResNet-18 for 32×32 inputs, the architecture of many public CIFAR-10 robust checkpoints (RobustBench's
/// fast-AT and robust-overfitting entries): input normalization, a 3×3 stem, <see cref="PreActBlock"/>s [2,2,2,2]
/// with widths 64/128/256/512 × <see cref="Width"/>, a final BatchNorm–ReLU (<c>bn</c>), global average pooling and a
/// linear head. Submodule names (conv1, layer1…layer4, bn, linear, shortcut) follow that code, so its state dicts
/// load directly (with <c>KeyMap</c> for a <c>module.</c> prefix or normalization buffers). The normalization is a
/// non-persistent buffer, as in <see cref="ResNet18"/>.
/// </summary>
public sealed class PreActResNet18 : nn.Module<Tensor, Tensor>
{
    private readonly InputNormalization normalize;
    private readonly ChannelsLastConv2d conv1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly BatchNorm2d bn;
    private readonly Linear linear;

    /// <summary>Creates the network with freshly initialized weights.</summary>
    /// <param name="numClasses">Output classes (≥ 2).</param>
    /// <param name="width">Width multiplier in (0, 16]; 1.0 is the standard network.</param>
    /// <param name="mean">Per-channel input mean; CIFAR-10's when null.</param>
    /// <param name="std">Per-channel input std; CIFAR-10's when null.</param>
    public PreActResNet18(int numClasses = 10, double width = 1.0, IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null)
        : base(nameof(PreActResNet18))
    {
        long[] planes = ResNetWidth.Planes(numClasses, width, "PreAct ResNet-18");
        NumClasses = numClasses;
        Width = width;
        normalize = new InputNormalization(mean, std);
        conv1 = new ChannelsLastConv2d(3, planes[0], 3, stride: 1, padding: 1, bias: false);
        layer1 = Layer(planes[0], planes[0], 1);
        layer2 = Layer(planes[0], planes[1], 2);
        layer3 = Layer(planes[1], planes[2], 2);
        layer4 = Layer(planes[2], planes[3], 2);
        bn = nn.BatchNorm2d(planes[3]);
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
        var h = conv1.call(normalize.call(input));
        h = layer4.call(layer3.call(layer2.call(layer1.call(h))));
        h = bn.call(h).relu_();
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
            layer1.Dispose();
            layer2.Dispose();
            layer3.Dispose();
            layer4.Dispose();
            bn.Dispose();
            linear.Dispose();
        }

        base.Dispose(disposing);
    }

    private static Sequential Layer(long inPlanes, long planes, long stride) =>
        nn.Sequential(new PreActBlock(inPlanes, planes, stride), new PreActBlock(planes, planes, 1));
}
