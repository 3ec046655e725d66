using Dwf.Robustness.Experts;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// Whether convolution weights laid out channels-last (as PyTorch's <c>model.to(memory_format=channels_last)</c>
/// does) speed up a ResNet-18 at width 0.25 whose activations are channels-last already. Two identical models, one
/// with its weights re-laid, alternated in one process: a training forward+backward, and an attack's input gradient
/// in eval mode; then two joint-training batches (<see cref="JointBatchWorkload"/>), one of each kind, alternated.
/// The probe behind "channels-last weights: not adopted" in docs/performance.md.
/// </summary>
internal static class LayoutProbe
{
    /// <summary>Re-lays every convolution weight of <paramref name="model"/> out channels-last (same values).</summary>
    public static void ChannelsLastWeights(nn.Module model)
    {
        foreach (var conv in model.modules().OfType<Conv2d>())
        {
            // A fresh tensor with channels-last strides, not a view: the optimizer updates it in place.
            var w = conv.weight!;
            long i = w.shape[1], kh = w.shape[2], kw = w.shape[3];
            var relaid = empty_strided(w.shape, new[] { i * kh * kw, 1, kw * i, i }, dtype: w.dtype, device: w.device);
            using (no_grad())
            {
                relaid.copy_(w);
            }

            conv.weight = new Parameter(relaid);
        }
    }

    /// <summary>A training step and an input gradient, alternated with and without channels-last weights; then whole joint batches.</summary>
    public static void Run(int batch, int pairs = 15)
    {
        var (x, y) = Workloads.Inputs(batch);
        manual_seed(0);
        using var asCreated = new ResNet18(10, 0.25);
        manual_seed(0);
        using var channelsLast = new ResNet18(10, 0.25);
        ChannelsLastWeights(channelsLast);

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
            var (asCreatedTimes, channelsLastTimes) = Measure.Alternate(() => step(asCreated), () => step(channelsLast), pairs, warmup: 2);
            Console.WriteLine($"RESULT layout {name} batch {batch}: channels-last weights / as created, time ratio " +
                              Measure.RatioSummary(channelsLastTimes.Zip(asCreatedTimes, (c, a) => c / a)));
        }

        x.Dispose();
        y.Dispose();
        using var asCreatedJoint = new JointBatchWorkload();
        using var channelsLastJoint = new JointBatchWorkload(channelsLastWeights: true);
        var (asCreatedJointTimes, channelsLastJointTimes) = Measure.Alternate(() => asCreatedJoint.Step(), () => channelsLastJoint.Step(), pairs: 7, warmup: 1);
        var jointRatios = channelsLastJointTimes.Zip(asCreatedJointTimes, (c, a) => c / a).Order().ToList();
        Console.WriteLine($"RESULT layout joint batch: channels-last weights / as created, time ratio median {jointRatios[3]:F3} (range {jointRatios[0]:F3}–{jointRatios[6]:F3})");
    }
}
