using Dwf.Robustness.Defenses.AdvMoe;
using Dwf.Robustness.Training;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Defenses.AdvMoe;

public class AdvMoeResNet18Tests
{
    /// <summary>Small enough for tests, no layer under 8 channels (narrower ResNets have crashed libtorch on AVX2 hosts).</summary>
    internal static AdvMoeResNet18 Tiny(int experts = 2, long seed = 0)
    {
        using (NewDisposeScope())
        {
            manual_seed(seed);
        }

        return new AdvMoeResNet18(numClasses: 4, experts: experts, width: 0.25, ratio: 0.5, routerWidth: 0.5);
    }

    private static Tensor OneHot(int group, int count, int experts) =>
        nn.functional.one_hot(full(new long[] { count }, (long)group, dtype: ScalarType.Int64), experts).to(ScalarType.Float32);

    [Fact]
    public void Forward_TwoGroups_EachImageTakesExactlyTheGroupItsRouterPicks()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        model.eval();
        var (x, _) = SyntheticImages.Make(32, seed: 9);
        using var noGrad = no_grad();

        var logits = model.call(x);
        var picked = model.Router.call(x).argmax(1).data<long>().ToArray();
        var perGroup = Enumerable.Range(0, 2).Select(g => model.ForwardWithScores(x, OneHot(g, 32, 2))).ToArray();

        (perGroup[0] - perGroup[1]).abs().max().item<float>().Should().BeGreaterThan(1e-4f, "the groups are different experts");
        for (int b = 0; b < 32; b++)
        {
            (logits[b] - perGroup[picked[b]][b]).abs().max().item<float>().Should().BeLessThan(1e-5f, $"image {b} is routed to group {picked[b]} only");
        }
    }

    [Fact]
    public void Forward_StraightThrough_GradientReachesTheRouter()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        model.eval();
        var (x, y) = SyntheticImages.Make(16, seed: 10);

        nn.functional.cross_entropy(model.call(x), y).backward();

        double routerGradient = model.Router.parameters().Where(p => p.grad is not null).Sum(p => p.grad!.abs().sum().item<float>());
        routerGradient.Should().BeGreaterThan(0, "the top-1 choice passes its gradient to the router's scores");
    }

    [Fact]
    public void StraightThrough_Scores_OneHotValueIdentityGradient()
    {
        using var scope = NewDisposeScope();
        var scores = tensor(new[] { 0.1f, 0.7f, 0.2f, 0.9f, 0.05f, 0.05f }).view(2, 3).requires_grad_(true);

        var gate = AdvMoeResNet18.StraightThrough(scores);
        var gradient = autograd.grad([(gate * tensor(new[] { 1f, 2f, 3f })).sum()], [scores])[0];

        gate.detach().data<float>().ToArray().Should().Equal(0, 1, 0, 1, 0, 0);
        gradient.data<float>().ToArray().Should().Equal(1, 2, 3, 1, 2, 3);
    }

    [Fact]
    public void AdaptiveTargets_RouterDetachedAndEveryFixedRoute()
    {
        using var model = Tiny(experts: 3);
        var targets = model.AdaptiveTargets();
        try
        {
            targets.Select(t => t.Name).Should().Equal("router detached", "route fixed to group-1", "route fixed to group-2", "route fixed to group-3");
            targets.Should().OnlyContain(t => t.DisposeAfterUse);
        }
        finally
        {
            foreach (var t in targets)
            {
                t.Module.Dispose();
            }
        }
    }

    [Fact]
    public void Trainer_AlternatingSteps_ExpertStepMovesOnlyTheBackboneRouterStepOnlyTheRouter()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        model.train();
        var (x, y) = SyntheticImages.Make(32, seed: 11);
        var trainer = new AdvMoeTrainer(new AdvMoeTrainingOptions { Epochs = 1, Epsilon = 0.03, StepSize = 0.01 });
        using var experts = Sgd.Create(model.Backbone.parameters(), new OptimizerOptions { LearningRate = 0.05 });
        using var router = Sgd.Create(model.Router.parameters(), new OptimizerOptions { LearningRate = 0.05 });
        using var generator = new Generator(3);

        var (backbone0, router0) = (Snapshot(model.Backbone), Snapshot(model.Router));
        trainer.ExpertStep(model, experts, router, x, y, generator, null);
        var (backbone1, router1) = (Snapshot(model.Backbone), Snapshot(model.Router));
        trainer.RouterStep(model, experts, router, x, y, generator);
        var (backbone2, router2) = (Snapshot(model.Backbone), Snapshot(model.Router));

        Changed(backbone0, backbone1).Should().BeTrue("the expert step updates the experts");
        Changed(router0, router1).Should().BeFalse("the expert step leaves the router");
        Changed(router1, router2).Should().BeTrue("the router step updates the router");
        Changed(backbone1, backbone2).Should().BeFalse("the router step leaves the experts");
    }

    [Fact]
    public void Fit_TinyModel_LossDecreasesLeftInEvalMode()
    {
        using var data = SyntheticDataset.Create(128);
        using var model = Tiny();
        var trainer = new AdvMoeTrainer(new AdvMoeTrainingOptions
        {
            Epochs = 4, Epsilon = 0.03, StepSize = 0.01,
            Experts = new OptimizerOptions { LearningRate = 0.05 }, Router = new OptimizerOptions { LearningRate = 0.05 },
        });

        var result = trainer.Fit(model, SyntheticDataset.Loader(data));

        result.History.Should().HaveCount(4);
        result.History[^1].Loss.Should().BeLessThan(result.History[0].Loss);
        model.training.Should().BeFalse();
    }

    [Fact]
    public void ForwardRouteAndCraft_TinyModel_NoTensorsLeak()
    {
        using var model = Tiny();
        model.eval();
        var (x, y) = SyntheticImages.Make(8, seed: 12);
        var trainer = new AdvMoeTrainer(new AdvMoeTrainingOptions { Epsilon = 0.03, StepSize = 0.01 });
        using (x)
        using (y)
        {
            LeakCheck.AssertNoLeak(() =>
            {
                using (no_grad())
                {
                    model.call(x).Dispose();
                    model.Route(x).Dispose();
                }

                trainer.Craft(model, x, null).Dispose();
            });
        }
    }

    [Fact]
    public void Constructor_RatioAboveOne_RefusedNamingTheRange()
    {
        var act = () => new AdvMoeResNet18(ratio: 1.5);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*(0, 1]*");
    }

    private static float[][] Snapshot(nn.Module<Tensor, Tensor> module) =>
        module.parameters().Select(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    private static bool Changed(float[][] a, float[][] b) => a.Zip(b).Any(pair => !pair.First.SequenceEqual(pair.Second));
}
