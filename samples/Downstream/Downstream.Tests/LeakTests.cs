using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Testing;
using static TorchSharp.torch;

namespace Downstream.Tests;

public class LeakTests
{
    [Fact]
    public void Evaluate_Mixture_LeaksNoTensors()
    {
        using var data = SyntheticDataset.Create(32);
        using var mixture = TinyMixture.Create(experts: 2, seed: 1);
        var evaluator = new RobustnessEvaluator(new EvaluationOptions { FgsmEpsilons = [8.0 / 255], PgdSteps = [3], BatchSize = 16 });

        LeakCheck.AssertNoLeak(() => evaluator.Evaluate(mixture, data, "tiny-mixture"));
    }

    [Fact]
    public void LeakCheck_CodeThatKeepsATensor_Fails()
    {
        var kept = new List<Tensor>();

        Assert.Throws<TensorLeakException>(() => LeakCheck.AssertNoLeak(() => kept.Add(zeros(new long[] { 2 }))));

        kept.ForEach(t => t.Dispose());
    }

    [Fact]
    public void Perturb_ResultDisposedByTheCaller_LeaksNoTensors()
    {
        using var mixture = TinyMixture.Create(experts: 2, seed: 1);
        var (images, labels) = SyntheticImages.Make(8);
        var pgd = new Pgd(8.0 / 255, steps: 3);

        LeakCheck.AssertNoLeak(() => pgd.Perturb(mixture, images, labels).Dispose());

        images.Dispose();
        labels.Dispose();
    }
}
