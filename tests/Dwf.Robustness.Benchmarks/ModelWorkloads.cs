using Dwf.Robustness.Attacks;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>Model-level workloads: forward+backward, PGD, mixture overhead. Images/s, medians after warm-up.</summary>
internal static class ModelWorkloads
{
    /// <summary>One forward + backward of the loss w.r.t. the parameters, in its own dispose scope.</summary>
    public static void ForwardBackwardStep(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        model.zero_grad();
        nn.functional.cross_entropy(model.call(x), y).backward();
    }

    /// <summary>Each expert's forward + backward on its own (no gate, no mixing), in one dispose scope.</summary>
    public static void ExpertsStep(IReadOnlyList<IExpert> experts, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        foreach (var e in experts)
        {
            e.Module.zero_grad();
            nn.functional.cross_entropy(e.Module.call(x), y).backward();
        }
    }

    /// <summary>Forward + backward of the loss w.r.t. parameters (a training step without the optimizer).</summary>
    public static double ForwardBackward(nn.Module<Tensor, Tensor> model, int batch, int runs)
    {
        var (x, y) = Workloads.Inputs(batch);
        model.train();
        double s = Measure.MedianSeconds(() => ForwardBackwardStep(model, x, y), warmup: 2, runs: runs);
        x.Dispose();
        y.Dispose();
        return batch / s;
    }

    /// <summary>PGD with <paramref name="steps"/> iterations; returns images/s per PGD iteration and per attack.</summary>
    public static (double PerIteration, double PerAttack) PgdThroughput(nn.Module<Tensor, Tensor> model, int batch, int steps, int runs)
    {
        var (x, y) = Workloads.Inputs(batch);
        var pgd = new Pgd(steps: steps);
        using var gen = new Generator(2);
        double s = Measure.MedianSeconds(() => pgd.Perturb(model, x, y, gen).Dispose(), warmup: 1, runs: runs);
        x.Dispose();
        y.Dispose();
        return (batch * steps / s, batch / s);
    }

    public static void RunPgd(double width, int batch)
    {
        using var model = new ResNet18(10, width);
        double fb = ForwardBackward(model, batch, runs: 5);
        var (perIter, perAttack) = PgdThroughput(model, batch, 10, runs: 3);
        Console.WriteLine($"ResNet-18 width {width} batch {batch} threads {get_num_threads()}: forward+backward {fb:F0} img/s; " +
                          $"PGD-10 {perAttack:F1} img/s = {perIter:F0} img-iterations/s ({perIter / fb:P0} of forward+backward)");
    }

    /// <summary>
    /// Mixture overhead measured in one process, after warm-up, over <paramref name="pairs"/> alternations of: one mixture
    /// forward+backward; the same nine experts' forward+backward called one by one (no gate, no mixing); the gate's
    /// forward+backward alone; and the nine experts' forwards together followed by one backward of their summed losses
    /// (all activations held at once, as in the mixture, but no gate). Alternating in one process removes the
    /// between-process noise (±10% here) that separate runs suffer from; the last two tell how much of the overhead is
    /// the gate's arithmetic and how much holding every expert's activations.
    /// </summary>
    public static void RunMixture(int experts, double width, int batch, int pairs = 15)
    {
        var (x, y) = Workloads.Inputs(batch);
        var list = Workloads.Experts(experts, width);
        using var moe = new MixtureOfExperts(list);
        moe.train();
        void Mixture() => ForwardBackwardStep(moe, x, y);
        void ExpertsAlone() => ExpertsStep(list, x, y);
        void GateAlone()
        {
            using var scope = NewDisposeScope();
            moe.Gate.zero_grad();
            moe.Gate.call(x).log().mean().backward();
        }

        void ExpertsTogether()
        {
            using var scope = NewDisposeScope();
            moe.zero_grad();
            list.Select(e => nn.functional.cross_entropy(e.Module.call(x), y)).Aggregate((a, b) => a + b).backward();
        }

        var mixtureTimes = new List<double>();
        var expertTimes = new List<double>();
        var ratios = new List<double>();
        var gateShares = new List<double>();
        var togetherRatios = new List<double>();
        for (int i = -1; i < pairs; i++)
        {
            double m = Measure.Seconds(Mixture), e = Measure.Seconds(ExpertsAlone), g = Measure.Seconds(GateAlone), t = Measure.Seconds(ExpertsTogether);
            if (i < 0)
            {
                continue; // warm-up
            }

            mixtureTimes.Add(m);
            expertTimes.Add(e);
            ratios.Add(m / e);
            gateShares.Add(g / e);
            togetherRatios.Add(t / e);
        }

        Console.WriteLine($"{experts}-expert mixture width {width} batch {batch}, {pairs} alternations: mixture {batch / Measure.Median(mixtureTimes):F1} img/s, " +
                          $"experts alone {batch / Measure.Median(expertTimes):F1} img/s; mixture/experts time ratio {Measure.RatioSummary(ratios)}; " +
                          $"gate alone / experts median {Measure.Median(gateShares):F3}; " +
                          $"experts forward together, one backward / experts median {Measure.Median(togetherRatios):F3}");
        x.Dispose();
        y.Dispose();
    }
}
