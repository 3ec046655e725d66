using Dwf.Robustness.Attacks;
using Dwf.Robustness.Attacks.Norms;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks.Norms;

public class HyperplaneProjectionTests
{
    /// <summary>The smallest norm of d on a 1/1000 grid of the box with |w·(t+d) − b| within the grid's resolution, by brute force (two coordinates).</summary>
    private static double BruteForce(ThreatModel norm, double[] t, double[] w, double b)
    {
        double best = double.PositiveInfinity, tolerance = (Math.Abs(w[0]) + Math.Abs(w[1])) * 0.0005;
        for (int i = 0; i <= 1000; i++)
        {
            for (int j = 0; j <= 1000; j++)
            {
                double x0 = i / 1000.0, x1 = j / 1000.0;
                if (Math.Abs(w[0] * x0 + w[1] * x1 - b) > tolerance)
                {
                    continue;
                }

                double d0 = x0 - t[0], d1 = x1 - t[1];
                double size = norm == ThreatModel.Linf ? Math.Max(Math.Abs(d0), Math.Abs(d1)) : Math.Sqrt(d0 * d0 + d1 * d1);
                best = Math.Min(best, size);
            }
        }

        return best;
    }

    [Theory]
    [InlineData(ThreatModel.Linf, 0.2, 0.7, 1.0, 2.0, 1.5)]
    [InlineData(ThreatModel.Linf, 0.9, 0.1, -1.0, 3.0, 0.9)]
    [InlineData(ThreatModel.Linf, 0.5, 0.5, 1.0, 0.1, 0.98)]
    [InlineData(ThreatModel.L2, 0.2, 0.7, 1.0, 2.0, 1.5)]
    [InlineData(ThreatModel.L2, 0.9, 0.1, -1.0, 3.0, 0.9)]
    [InlineData(ThreatModel.L2, 0.5, 0.5, 1.0, 0.1, 0.98)]
    [InlineData(ThreatModel.L2, 0.95, 0.3, 4.0, 1.0, 4.6)]
    public void Step_TwoCoordinates_ReachesHyperplaneInBoxWithTheSmallestNorm(ThreatModel norm, double t0, double t1, double w0, double w1, double b)
    {
        using var scope = NewDisposeScope();
        var t = tensor(new[] { t0, t1 }).view(1, 2);
        var w = tensor(new[] { w0, w1 }).view(1, 2);

        var d = HyperplaneProjection.Step(norm, t, w, tensor(new[] { b })).data<double>().ToArray();

        double x0 = t0 + d[0], x1 = t1 + d[1];
        (w0 * x0 + w1 * x1).Should().BeApproximately(b, 1e-9, "the point lands on the hyperplane");
        x0.Should().BeInRange(-1e-12, 1 + 1e-12);
        x1.Should().BeInRange(-1e-12, 1 + 1e-12);
        double size = norm == ThreatModel.Linf ? Math.Max(Math.Abs(d[0]), Math.Abs(d[1])) : Math.Sqrt(d[0] * d[0] + d[1] * d[1]);
        size.Should().BeApproximately(BruteForce(norm, [t0, t1], [w0, w1], b), 0.003, "no point of the box on the hyperplane is closer");
    }

    [Theory]
    [InlineData(ThreatModel.Linf)]
    [InlineData(ThreatModel.L2)]
    public void Step_HyperplaneOutOfTheBox_MovesEveryCoordinateToItsBound(ThreatModel norm)
    {
        using var scope = NewDisposeScope();
        var t = tensor(new[] { 0.3, 0.6 }).view(1, 2);

        var d = HyperplaneProjection.Step(norm, t, tensor(new[] { 1.0, 1.0 }).view(1, 2), tensor(new[] { 5.0 })).data<double>().ToArray();

        d[0].Should().BeApproximately(0.7, 1e-12);
        d[1].Should().BeApproximately(0.4, 1e-12);
    }

    [Fact]
    public void Step_PointOnHyperplaneOrZeroNormal_NoStep()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new[] { 0.3, 0.6, 0.5, 0.5 }).view(2, 2);
        var w = tensor(new[] { 1.0, 1.0, 0.0, 0.0 }).view(2, 2);

        foreach (var norm in new[] { ThreatModel.Linf, ThreatModel.L2 })
        {
            var d = HyperplaneProjection.Step(norm, t, w, tensor(new[] { 0.9, 3.0 }));
            d.abs().max().item<double>().Should().BeLessThan(1e-12, $"{norm}: the first point is on its hyperplane (up to rounding), the second has no direction to move");
        }
    }
}
