using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// Whether one grouped convolution (groups = 9) serving nine experts beats nine separate convolutions, per ResNet-18
/// (width 0.25) layer shape, forward + backward, batch 128. This is the probe behind "grouped convolutions: not adopted"
/// in docs/performance.md; it prints the median seconds of both and their ratio per shape.
/// </summary>
internal static class GroupedConvProbe
{
    private const int Experts = 9;
    private const int Batch = 128;

    public static void Run(int runs = 5)
    {
        foreach (var (channels, size) in new[] { (16, 32), (32, 16), (64, 8), (128, 4) })
        {
            using var gen = new Generator(3);
            using var x = rand(new long[] { Batch, channels, size, size }, generator: gen).requires_grad_();
            var weights = Enumerable.Range(0, Experts)
                .Select(_ => rand(new long[] { channels, channels, 3, 3 }, generator: gen).requires_grad_()).ToArray();
            using var xs = x.detach().repeat(1, Experts, 1, 1).requires_grad_();
            using var stacked = cat(weights.Select(w => w.detach()).ToArray(), 0).requires_grad_();

            double separate = Measure.MedianSeconds(() =>
            {
                using var scope = NewDisposeScope();
                var total = weights.Select(w => nn.functional.conv2d(x, w, padding: new long[] { 1, 1 }).sum()).Aggregate((a, b) => a + b);
                total.backward();
            }, warmup: 2, runs: runs);
            double grouped = Measure.MedianSeconds(() =>
            {
                using var scope = NewDisposeScope();
                nn.functional.conv2d(xs, stacked, padding: new long[] { 1, 1 }, groups: Experts).sum().backward();
            }, warmup: 2, runs: runs);
            Console.WriteLine($"RESULT grouped-conv {channels}ch {size}x{size}: nine separate {separate * 1000:F1} ms, one grouped {grouped * 1000:F1} ms, grouped/separate {grouped / separate:F2}");
            foreach (var w in weights)
            {
                w.Dispose();
            }
        }
    }
}
