using Dwf.Robustness.Attacks;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks;

public class FgsmTests
{
    [Fact]
    public void Perturb_LinearModel_EqualsAnalyticOptimum()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var model = new LinearClassifier(3 * 4 * 4, 5);
        var (images, _) = SyntheticImages.Make(12, classes: 5, size: 4);
        var labels = arange(12, dtype: ScalarType.Int64) % 5;
        const double eps = 0.03;

        var adversarial = new Fgsm(eps).Perturb(model, images, labels);

        // ∇x CE(Wx + b, y) = Wᵀ (softmax(Wx + b) − onehot(y)); the optimum of the linearization is x + ε·sign(∇).
        var w = model.Layer.weight!.detach();
        var b = model.Layer.bias!.detach();
        var probabilities = nn.functional.softmax(images.flatten(1).matmul(w.t()) + b, 1);
        var gradient = (probabilities - nn.functional.one_hot(labels, 5).to(ScalarType.Float32)).matmul(w).view(images.shape);
        var expected = (images + eps * gradient.sign()).clamp(0, 1);
        adversarial.allclose(expected, rtol: 0, atol: 1e-6).Should().BeTrue();
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(1.5)]
    public void Constructor_InvalidEpsilon_ThrowsNamingEpsilon(double eps)
    {
        var act = () => new Fgsm(eps);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("epsilon");
    }
}
