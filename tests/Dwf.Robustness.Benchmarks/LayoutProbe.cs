using Dwf.Robustness.Experts;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// Whether convolution weights laid out channels-last (as PyTorch's <c>model.to(memory_format=channels_last)</c>
/// does) speed up a ResNet-18 at width 0.25 whose activations are channels-last already. Two identical models, one
/// with its weights re-laid, alternated in one process: a training forward+backward, and an attack's input gradient
/// in eval mode. The probe behind "channels-last weights: not adopted" in docs/performance.md.
/// </summary>
internal static class LayoutProbe
{
    public static void Run(int batch, int pairs = 15)
    {
        var (x, y) = Workloads.Inputs(batch);
        manual_seed(0);
        using var asCreated = new ResNet18(10, 0.25);
        manual_seed(0);
        using var channelsLast = new ResNet18(10, 0.25);
        foreach (var conv in channelsLast.modules().OfType<Conv2d>())
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            conv.weight = new Parameter(conv.weight!.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).DetachFromDisposeScope());
        }

        void Train(ResNet18 model)
        {
            using var scope = NewDisposeScope();
            model.train();
            model.zero_grad();
            nn.functional.cross_entropy(model.call(x), y).backward();
        }

        void InputGradient(ResNet18 model)
        {
            using var scope = NewDisposeScope();
            model.eval();
            var input = x.detach().requires_grad_(true);
            var loss = nn.functional.cross_entropy(model.call(input), y, reduction: nn.Reduction.Sum);
            autograd.grad(new[] { loss }, new[] { input });
        }

        foreach (var (name, step) in new (string, Action<ResNet18>)[] { ("training step", Train), ("input gradient", InputGradient) })
        {
            var ratios = new List<double>();
            for (int i = -2; i < pairs; i++)
            {
                double a = Measure.Seconds(() => step(asCreated)), b = Measure.Seconds(() => step(channelsLast));
                if (i >= 0)
                {
                    ratios.Add(b / a);
                }
            }

            ratios.Sort();
            Console.WriteLine($"RESULT layout {name} batch {batch}: channels-last weights / as created, time ratio median {ratios[pairs / 2]:F3} " +
                              $"(quartiles {ratios[pairs / 4]:F3}–{ratios[3 * pairs / 4]:F3})");
        }

        x.Dispose();
        y.Dispose();
    }
}
