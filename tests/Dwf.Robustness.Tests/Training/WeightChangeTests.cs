using Dwf.Robustness.Tests.TestSupport;
using Dwf.Robustness.Training;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Training;

public class WeightChangeTests
{
    [Fact]
    public void Relative_KnownChange_IsNormRatio()
    {
        using var scope = NewDisposeScope();
        using var a = new TinyCnn(4, seed: 1);
        using var b = new TinyCnn(4, seed: 1);
        WeightChange.Relative(a, b).Should().Be(0);
        double norm = Math.Sqrt(a.parameters().Sum(p => p.pow(2).sum().item<float>()));
        using (no_grad())
        {
            var first = b.parameters().First();
            first.view(-1)[0] = first.view(-1)[0] + 0.5f;
        }

        WeightChange.Relative(a, b).Should().BeApproximately(0.5 / norm, 1e-6);
        using var other = new TinyCnn(5, seed: 1);
        var act = () => WeightChange.Relative(a, other);
        act.Should().Throw<ArgumentException>().WithMessage("*one architecture*");
    }
}
