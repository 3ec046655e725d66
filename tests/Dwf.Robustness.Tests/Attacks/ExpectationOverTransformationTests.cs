using Dwf.Robustness.Attacks;
using Dwf.Robustness.Testing;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks;

public class ExpectationOverTransformationTests(TrainedModelFixture f) : IClassFixture<TrainedModelFixture>
{
    private static double Cosine(Tensor a, Tensor b) => nn.functional.cosine_similarity(a.flatten(), b.flatten(), 0).item<float>();

    private Tensor Gradient(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y) =>
        LossAndGradient.Compute(model, x, logits => AttackObjectives.PerSample(AttackLoss.CrossEntropy, logits, y)).Gradient;

    [Fact]
    public void Compute_RandomizedModel_AveragedGradientCloserToExpectationThanOnePass()
    {
        using var scope = NewDisposeScope();
        using var noisy = new NoisyModel(f.Model, sigma: 0.1);
        noisy.eval();
        var x = f.TestImages.narrow(0, 0, 16);
        var y = f.TestLabels.narrow(0, 0, 16);
        manual_seed(11);
        using var reference = new ExpectationOverTransformation(noisy, samples: 1000);
        var expected = Gradient(reference, x, y);
        using var twenty = new ExpectationOverTransformation(noisy, samples: 20);

        double single = Enumerable.Range(0, 5).Average(_ => Cosine(Gradient(noisy, x, y), expected));
        double averaged = Enumerable.Range(0, 5).Average(_ => Cosine(Gradient(twenty, x, y), expected));

        averaged.Should().BeGreaterThan(single + 0.1, "20 passes estimate the expected gradient far better than one");
        averaged.Should().BeGreaterThan(0.9);
    }

    [Fact]
    public void Compute_DeterministicModelWrapped_SameGradientAsUnwrapped()
    {
        using var scope = NewDisposeScope();
        var x = f.TestImages.narrow(0, 0, 8);
        var y = f.TestLabels.narrow(0, 0, 8);
        using var wrapped = new ExpectationOverTransformation(f.Model, samples: 4);

        Gradient(wrapped, x, y).allclose(Gradient(f.Model, x, y), rtol: 1e-5, atol: 1e-7).Should().BeTrue("the mean of equal gradients is the gradient");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Fab_DeterministicModelWrapped_SameResultAndEveryLinearizationAveraged(bool targeted)
    {
        using var scope = NewDisposeScope();
        var x = f.TestImages.narrow(0, 0, 8);
        var y = f.TestLabels.narrow(0, 0, 8);
        var fab = targeted ? Fab.TowardsTargets(0.05, targetClasses: 2, steps: 5) : new Fab(0.05, steps: 5);
        using var plain = new CountingModel(f.Model);
        using var counted = new CountingModel(f.Model);
        using var wrapped = new ExpectationOverTransformation(counted, samples: 3);

        var once = fab.Perturb(plain, x, y, new Generator(4));
        var averaged = fab.Perturb(wrapped, x, y, new Generator(4));

        averaged.allclose(once, rtol: 1e-4, atol: 1e-5).Should().BeTrue("the mean of equal linearizations is the linearization");
        int linearizations = plain.GradientCalls;
        linearizations.Should().BeGreaterThan(0);
        counted.GradientCalls.Should().Be(3 * linearizations, "every linearization takes the wrapper's 3 passes");
    }

    [Fact]
    public void Perturb_ThroughWrapper_ModeRestoredParametersSharedModelKeptAfterDispose()
    {
        using var scope = NewDisposeScope();
        var model = new TinyCnn(classes: 4, seed: 5);
        model.train();
        var x = f.TestImages.narrow(0, 0, 8);
        var y = f.TestLabels.narrow(0, 0, 8);
        using (var wrapped = new ExpectationOverTransformation(model, samples: 3))
        {
            wrapped.parameters().Should().HaveCount(model.parameters().Count());
            var adversarial = new Pgd(0.05, 0.0125, steps: 2).Perturb(wrapped, x, y, new Generator(1));
            (adversarial - x).abs().max().item<float>().Should().BeLessThanOrEqualTo(0.05f + 1e-6f);
            model.training.Should().BeTrue("the attack put the wrapped model in eval mode and restored it");
        }

        model.call(x).shape.Should().Equal(8, 4); // the wrapper did not dispose the model
        model.Dispose();
    }

    [Fact]
    public void Constructor_ZeroSamples_ThrowsNamingValue()
    {
        var act = () => new ExpectationOverTransformation(f.Model, samples: 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least 1 pass*");
    }

    [Fact]
    public void Compute_TwentySamples_LeaksNoTensors()
    {
        var x = f.TestImages.narrow(0, 0, 8);
        var y = f.TestLabels.narrow(0, 0, 8);
        using var noisy = new NoisyModel(f.Model, sigma: 0.1);
        using var wrapped = new ExpectationOverTransformation(noisy, samples: 20);

        LeakCheck.AssertNoLeak(() =>
        {
            using var scope = NewDisposeScope();
            _ = Gradient(wrapped, x, y);
        });
    }

    /// <summary>Counts the forward passes made with gradients enabled on an input that requires them (the linearizations).</summary>
    private sealed class CountingModel(nn.Module<Tensor, Tensor> inner) : nn.Module<Tensor, Tensor>(nameof(CountingModel))
    {
        public int GradientCalls { get; private set; }

        public override Tensor forward(Tensor input)
        {
            if (input.requires_grad)
            {
                GradientCalls++;
            }

            return inner.call(input);
        }
    }
}
