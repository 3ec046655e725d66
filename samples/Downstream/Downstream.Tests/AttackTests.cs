using Dwf.Robustness.Attacks;
using Dwf.Robustness.Testing;
using static TorchSharp.torch;

namespace Downstream.Tests;

public class AttackTests
{
    [Fact]
    public void Pgd_AgainstAMixture_StaysInTheBallAndRaisesTheLoss()
    {
        using var scope = NewDisposeScope();
        using var mixture = TinyMixture.Create(experts: 3, seed: 4);
        mixture.eval();
        var (images, labels) = SyntheticImages.Make(32, seed: 5);
        const double epsilon = 8.0 / 255;

        var adversarial = new Pgd(epsilon, stepSize: 2.0 / 255, steps: 10).Perturb(mixture, images, labels, new Generator(6));

        Assert.True((adversarial - images).abs().max().item<float>() <= epsilon + 1e-6, "PGD stays in the L∞ ball");
        Assert.True(adversarial.min().item<float>() >= 0 && adversarial.max().item<float>() <= 1, "PGD stays in [0,1]");
        using (no_grad())
        {
            double clean = nn.functional.cross_entropy(mixture.call(images), labels).item<float>();
            double attacked = nn.functional.cross_entropy(mixture.call(adversarial), labels).item<float>();
            Assert.True(attacked > clean, $"cross-entropy {clean:F4} clean, {attacked:F4} under PGD");
        }
    }

    [Fact]
    public void Pgd_NegativeEpsilon_ThrowsNamingTheValue()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new Pgd(epsilon: -0.1));

        Assert.Contains("-0.1", error.Message);
    }
}
