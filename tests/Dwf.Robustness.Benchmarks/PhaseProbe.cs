using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// Forward and backward timed apart (medians of <paramref name="runs"/> steps after two warm-up steps, width 0.25,
/// batch 128, training mode) for: the 9-expert mixture; the nine experts' forwards together with one backward of their
/// summed losses (no gate); one expert; the gate alone; and, as PGD does it, the mixture in eval mode on 42 images
/// with the gradient taken with respect to the input only. <c>reference/bench.py phases</c> prints the same for
/// PyTorch, so the two stacks can be compared phase by phase.
/// </summary>
internal static class PhaseProbe
{
    public static void Run(int runs = 9)
    {
        var (x, y) = Workloads.Inputs();
        using var moe = new MixtureOfExperts(Workloads.Experts(9, 0.25));
        moe.train();
        var experts = moe.Experts.Select(e => e.Module).ToArray();
        Print("mixture", () => nn.functional.cross_entropy(moe.call(x), y));
        Print("experts together", () => experts.Select(e => nn.functional.cross_entropy(e.call(x), y)).Aggregate((a, b) => a + b));
        Print("one expert", () => nn.functional.cross_entropy(experts[0].call(x), y));
        Print("gate", () => moe.Gate.call(x).log().mean());
        moe.eval();
        using var x42 = x.narrow(0, 86, 42).detach().requires_grad_(true);
        using var y42 = y.narrow(0, 86, 42);
        Print("mixture, input gradient (eval, 42 images)", () => nn.functional.cross_entropy(moe.call(x42), y42, reduction: nn.Reduction.Sum),
            value => autograd.grad(new[] { value }, new[] { x42 }));
        x.Dispose();
        y.Dispose();

        void Print(string name, Func<Tensor> loss, Action<Tensor>? differentiate = null)
        {
            differentiate ??= value => value.backward();
            var forward = new List<double>();
            var backward = new List<double>();
            for (int i = -2; i < runs; i++)
            {
                using var scope = NewDisposeScope();
                moe.zero_grad();
                Tensor? value = null;
                double f = Measure.Seconds(() => value = loss());
                double b = Measure.Seconds(() => differentiate(value!));
                if (i >= 0)
                {
                    forward.Add(f);
                    backward.Add(b);
                }
            }

            Console.WriteLine($"RESULT phases {name}: forward {Measure.Median(forward) * 1000:F1} ms, backward {Measure.Median(backward) * 1000:F1} ms");
        }
    }
}
