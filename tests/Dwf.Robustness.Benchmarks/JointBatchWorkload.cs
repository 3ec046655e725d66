using System.Diagnostics;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// One joint-training batch of 128 against a 9-expert mixture at width 0.25: 43 benign images, FGSM on the next 43,
/// PGD-10 on the last 42, then one SGD step of gate and experts. <see cref="Step"/> returns each part's seconds, so the
/// same batch serves the <c>joint-batch-w0.25</c> comparison and the <c>joint</c> breakdown.
/// </summary>
internal sealed class JointBatchWorkload : IDisposable
{
    private readonly Tensor x;
    private readonly Tensor y;
    private readonly MixtureOfExperts moe;
    private readonly optim.Optimizer gateSgd;
    private readonly optim.Optimizer expertSgd;
    private readonly Fgsm fgsm = new(8.0 / 255);
    private readonly Pgd pgd = new(steps: 10);
    private readonly Generator gen = new(3);

    public JointBatchWorkload(bool channelsLastWeights = false)
    {
        (x, y) = Workloads.Inputs();
        moe = new MixtureOfExperts(Workloads.Experts(9, 0.25));
        if (channelsLastWeights)
        {
            LayoutProbe.ChannelsLastWeights(moe);
        }

        gateSgd = optim.SGD(moe.Gate.parameters(), 0.1, 0.9);
        expertSgd = optim.SGD(moe.Experts.SelectMany(e => e.Module.parameters()), 0.01, 0.9);
        moe.train();
    }

    /// <summary>Runs one batch; returns the seconds of its FGSM, PGD and training parts.</summary>
    public (double Fgsm, double Pgd, double Train) Step()
    {
        using var scope = NewDisposeScope();
        var sw = Stopwatch.StartNew();
        var advF = fgsm.Perturb(moe, x.narrow(0, 43, 43), y.narrow(0, 43, 43), gen);
        double f = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var advP = pgd.Perturb(moe, x.narrow(0, 86, 42), y.narrow(0, 86, 42), gen);
        double p = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var inputs = cat(new[] { x.narrow(0, 0, 43), advF, advP });
        gateSgd.zero_grad();
        expertSgd.zero_grad();
        nn.functional.cross_entropy(moe.call(inputs), y).backward();
        gateSgd.step();
        expertSgd.step();
        return (f, p, sw.Elapsed.TotalSeconds);
    }

    public void Dispose()
    {
        gateSgd.Dispose();
        expertSgd.Dispose();
        moe.Dispose();
        gen.Dispose();
        x.Dispose();
        y.Dispose();
    }
}
