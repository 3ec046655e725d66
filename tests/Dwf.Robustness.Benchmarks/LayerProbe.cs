using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// Single layers as PGD uses them (eval mode, forward + gradient with respect to the input only, batch 42,
/// channels-last activations) at the three first widths of a ResNet-18 at width 0.25: BatchNorm + ReLU, a 3×3
/// convolution with its weight as created, and the same convolution with its weight laid out channels-last.
/// Milliseconds per call, median of 7 timings of 20 calls. <c>reference/bench.py layers</c> prints the same for PyTorch.
/// </summary>
internal static class LayerProbe
{
    private const int Calls = 20;

    public static void Run()
    {
        foreach (var (channels, size) in new[] { (16, 32), (32, 16), (64, 8) })
        {
            using var bn = nn.BatchNorm2d(channels);
            using var conv = nn.Conv2d(channels, channels, 3, padding: 1, bias: false);
            bn.eval();
            conv.eval();
            using var x = rand(42, channels, size, size).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).requires_grad_(true);
            double normRelu = PerCall(() => bn.call(x).relu());
            double convAsCreated = PerCall(() => conv.call(x));
            LayoutProbe.ChannelsLastWeights(conv);

            double convChannelsLast = PerCall(() => conv.call(x));
            Console.WriteLine($"RESULT layers {channels}ch {size}x{size}: batchnorm+relu {normRelu:F3} ms, conv {convAsCreated:F3} ms, " +
                              $"conv with channels-last weight {convChannelsLast:F3} ms");

            double PerCall(Func<Tensor> layer) => 1000.0 / Calls * Measure.MedianSeconds(() =>
            {
                using var scope = NewDisposeScope();
                for (int i = 0; i < Calls; i++)
                {
                    autograd.grad(new[] { layer().sum() }, new[] { x });
                }
            }, warmup: 2, runs: 7);
        }
    }
}
