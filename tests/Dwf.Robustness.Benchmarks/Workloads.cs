using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Training;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// The workloads compared against PyTorch (tests/Dwf.Robustness.Benchmarks/reference/bench.py runs the same ones).
/// Every workload: batch 128 of 3×32×32 images, the process's thread count, warm-up, then the median of timed runs.
/// Prints <c>RESULT name images_per_second</c>.
/// </summary>
internal static class Workloads
{
    public static readonly string[] Names =
        ["train-w1", "train-w0.25", "pgd-iter-w1", "pgd-iter-w0.25", "moe-fwdbwd-w0.25", "experts9-fwdbwd-w0.25", "joint-batch-w0.25", "eval-pgd20-w0.25", "load-cifar10"];

    private const int Batch = 128;

    public static void Run(string name, int runs, string data)
    {
        double imagesPerSecond = name switch
        {
            "train-w1" => TrainStep(1.0, runs),
            "train-w0.25" => TrainStep(0.25, runs),
            "pgd-iter-w1" => PgdIteration(1.0, runs),
            "pgd-iter-w0.25" => PgdIteration(0.25, runs),
            "moe-fwdbwd-w0.25" => MixtureForwardBackward(runs),
            "experts9-fwdbwd-w0.25" => NineExpertsForwardBackward(runs),
            "joint-batch-w0.25" => JointBatch(runs),
            "eval-pgd20-w0.25" => EvalPgd20(runs),
            "load-cifar10" => LoadCifar10(data, runs),
            _ => throw new ArgumentException($"Unknown workload '{name}'. Workloads: {string.Join(", ", Names)}."),
        };
        Console.WriteLine($"RESULT {name} {imagesPerSecond:F2}");
    }

    /// <summary>Random images [batch,3,32,32] and labels, the same for every workload (seed 1); the caller disposes them.</summary>
    internal static (Tensor X, Tensor Y) Inputs(int batch = Batch)
    {
        using var gen = new Generator(1);
        return (rand(new long[] { batch, 3, 32, 32 }, generator: gen).DetachFromDisposeScope(),
                randint(0, 10, new long[] { batch }, generator: gen).DetachFromDisposeScope());
    }

    /// <summary><paramref name="count"/> clean ResNet-18 experts named e0, e1, …, initialized from seed 0.</summary>
    internal static IExpert[] Experts(int count, double width)
    {
        manual_seed(0);
        return Enumerable.Range(0, count).Select(i => (IExpert)Expert.ResNet18($"e{i}", ExpertKind.Clean, width: width)).ToArray();
    }

    /// <summary>One SGD training step (forward, backward, optimizer step).</summary>
    private static double TrainStep(double width, int runs)
    {
        var (x, y) = Inputs();
        manual_seed(0);
        using var model = new ResNet18(10, width);
        using var sgd = optim.SGD(model.parameters(), 0.1, 0.9, weight_decay: 5e-4);
        model.train();
        double s = Measure.MedianSeconds(() =>
        {
            using var scope = NewDisposeScope();
            sgd.zero_grad();
            nn.functional.cross_entropy(model.call(x), y).backward();
            sgd.step();
        }, warmup: 2, runs: runs);
        return Batch / s;
    }

    /// <summary>One PGD iteration (input gradient + projected step), measured over a PGD-10 run.</summary>
    private static double PgdIteration(double width, int runs)
    {
        manual_seed(0);
        using var model = new ResNet18(10, width);
        return ModelWorkloads.PgdThroughput(model, Batch, steps: 10, runs).PerIteration;
    }

    private static double MixtureForwardBackward(int runs)
    {
        using var moe = new MixtureOfExperts(Experts(9, 0.25));
        return ModelWorkloads.ForwardBackward(moe, Batch, runs);
    }

    /// <summary>The nine experts' forward + backward without gate or mixing: the baseline the mixture is compared to.</summary>
    private static double NineExpertsForwardBackward(int runs)
    {
        var (x, y) = Inputs();
        var experts = Experts(9, 0.25);
        foreach (var e in experts)
        {
            e.Module.train();
        }

        double s = Measure.MedianSeconds(() => ModelWorkloads.ExpertsStep(experts, x, y), warmup: 2, runs: runs);
        return Batch / s;
    }

    /// <summary>One joint-training batch: a third benign, a third FGSM, a third PGD-10, all against the mixture, then one SGD step of gate and experts.</summary>
    private static double JointBatch(int runs)
    {
        using var workload = new JointBatchWorkload();
        double s = Measure.MedianSeconds(() => workload.Step(), warmup: 1, runs: runs);
        return Batch / s;
    }

    /// <summary>Evaluation's PGD-20 on the 9-expert mixture (images attacked per second).</summary>
    private static double EvalPgd20(int runs)
    {
        var (x, y) = Inputs();
        using var moe = new MixtureOfExperts(Experts(9, 0.25));
        moe.eval();
        var pgd = new Pgd(steps: 20);
        using var gen = new Generator(4);
        double s = Measure.MedianSeconds(() => pgd.Perturb(moe, x, y, gen).Dispose(), warmup: 1, runs: runs);
        return Batch / s;
    }

    /// <summary>Reading the whole archive (train + test, one pass as the PyTorch script does), as images per second.</summary>
    private static double LoadCifar10(string path, int runs)
    {
        double s = Measure.MedianSeconds(() =>
        {
            using var both = Cifar10Reader.LoadTrainAndTest(path);
        }, warmup: 1, runs: runs);
        return 60000 / s;
    }
}
