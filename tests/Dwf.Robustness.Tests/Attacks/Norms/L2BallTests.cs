using Dwf.Robustness.Attacks;
using Dwf.Robustness.Attacks.Norms;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks.Norms;

public class L2BallTests
{
    private static double[] Norms(Tensor delta) => L2Ball.Instance.Norm(delta.to(ScalarType.Float64)).data<double>().ToArray();

    [Fact]
    public void Project_PointsInAndOutsideBall_OutsideScaledOntoSphereInsideKept()
    {
        using var scope = NewDisposeScope();
        var images = full(new long[] { 2, 3, 4, 4 }, 0.5);
        var delta = zeros(2, 3, 4, 4);
        delta[0].fill_(0.1); // norm 0.1·√48 ≈ 0.69, outside ε = 0.3
        delta[1, 0, 0, 0] = tensor(0.2f); // norm 0.2, inside

        var projected = L2Ball.Instance.Project(images + delta, images, 0.3);

        var norms = Norms(projected - images);
        norms[0].Should().BeApproximately(0.3, 1e-5);
        norms[1].Should().BeApproximately(0.2, 1e-6, "a point inside the ball stays where it is");
        (projected - images)[0].sub(0.3 / Math.Sqrt(48)).abs().max().item<float>()
            .Should().BeLessThan(1e-5f, "projection keeps the direction");
    }

    [Fact]
    public void RandomStart_ManyImages_InsideBallAndUnitRangeAndSeeded()
    {
        using var scope = NewDisposeScope();
        var images = rand(64, 3, 8, 8, generator: new Generator(1));

        var start = L2Ball.Instance.RandomStart(images, 0.5, new Generator(2));
        var again = L2Ball.Instance.RandomStart(images, 0.5, new Generator(2));

        Norms(start - images).Max().Should().BeLessThanOrEqualTo(0.5 + 1e-6);
        Norms(start - images).Average().Should().BeGreaterThan(0.3, "uniform in a 192-dimensional ball puts almost all mass near the sphere (clamping to [0,1] trims a little)");
        start.min().item<float>().Should().BeGreaterThanOrEqualTo(0f);
        start.max().item<float>().Should().BeLessThanOrEqualTo(1f);
        start.equal(again).all().item<bool>().Should().BeTrue("the same seed gives the same start");
    }

    [Fact]
    public void SteepestStep_AnyGradient_HasStepLengthAndGradientDirection()
    {
        using var scope = NewDisposeScope();
        var gradient = randn(new long[] { 3, 3, 4, 4 }, generator: new Generator(5));
        gradient[2].zero_();

        var step = L2Ball.Instance.SteepestStep(gradient, 0.25);

        var norms = Norms(step);
        norms[0].Should().BeApproximately(0.25, 1e-6);
        norms[1].Should().BeApproximately(0.25, 1e-6);
        norms[2].Should().Be(0, "a zero gradient gives no step, not NaN");
        nn.functional.cosine_similarity(step[0].flatten(), gradient[0].flatten(), 0).item<float>().Should().BeApproximately(1f, 1e-5f);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void CheckEpsilon_NegativeOrNotFinite_ThrowsNamingValue(double epsilon)
    {
        var act = () => new Pgd(epsilon, 0.1, threatModel: ThreatModel.L2);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*L2 ε must be finite and ≥ 0*");
    }

    [Fact]
    public void Constructor_L2EpsilonAboveOne_Accepted()
    {
        new Pgd(2.0, 0.5, threatModel: ThreatModel.L2).Descriptor.Norm.Should().Be(ThreatModel.L2, "an L2 budget sums over the image and may exceed 1");
    }
}
