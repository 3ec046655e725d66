using Dwf.Robustness.Attacks;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>Model-level workloads: forward+backward, PGD, mixture overhead. Images/s, medians after warm-up.</summary>
internal static class ModelWorkloads
{
    /// <summary>Forward + backward of the loss w.r.t. parameters (a training step without the optimizer).</summary>
    public static double ForwardBackward(nn.Module<Tensor, Tensor> model, int batch, int runs)
    {
        var (x, y) = Workloads.Inputs(batch);
        model.train();
        double s = Measure.MedianSeconds(() =>
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            nn.functional.cross_entropy(model.call(x), y).backward();
        }, warmup: 2, runs: runs);
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

    public static void RunMixture(int experts, double width, int batch)
    {
        var list = Enumerable.Range(0, experts).Select(i => (IExpert)Expert.ResNet18($"e{i}", ExpertKind.Clean, width: width)).ToList();
        using var one = new ResNet18(10, width);
        using var moe = new MixtureOfExperts(list);
        double single = ForwardBackward(one, batch, runs: 7);
        double mixture = ForwardBackward(moe, batch, runs: 5);
        double ideal = single / experts;
        Console.WriteLine($"{experts}-expert mixture width {width} batch {batch}: one expert {single:F0} img/s, mixture {mixture:F1} img/s, " +
                          $"{experts}× one expert would give {ideal:F1} img/s; mixture overhead {(ideal / mixture - 1):P1}");
    }
}
