namespace Dwf.Cifar10.Tests;

public class ValidationCurveTests
{
    [Fact]
    public void Measures_TenPointsOf136Epochs_EveryFourteenthAndTheLast()
    {
        var measured = Enumerable.Range(1, 136).Where(e => ValidationCurve.Measures(e, 136, 10)).ToList();

        measured.Should().Equal(14, 28, 42, 56, 70, 84, 98, 112, 126, 136);
    }

    [Fact]
    public void Measures_MorePointsThanEpochs_EveryEpoch()
    {
        Enumerable.Range(1, 4).Where(e => ValidationCurve.Measures(e, 4, 10)).Should().Equal(1, 2, 3, 4);
    }

    [Fact]
    public void Measures_ZeroPoints_Never()
    {
        Enumerable.Range(1, 4).Where(e => ValidationCurve.Measures(e, 4, 0)).Should().BeEmpty();
    }

    [Fact]
    public void Append_SameEpochTwice_KeepsTheLaterPointInEpochOrder()
    {
        string path = Path.Combine(Path.GetTempPath(), "dwf-curve-" + Guid.NewGuid().ToString("N"), "c.validation.json");
        try
        {
            ValidationCurve.Append(path, new ValidationPoint(2, 0.5, 0.2));
            ValidationCurve.Append(path, new ValidationPoint(1, 0.4, 0.1));
            ValidationCurve.Append(path, new ValidationPoint(2, 0.5, 0.3)); // the epoch measured again after a resume

            ValidationCurve.Read(path).Should().Equal(new ValidationPoint(1, 0.4, 0.1), new ValidationPoint(2, 0.5, 0.3));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void DropFromBest_LastBelowBest_GivesTheGap()
    {
        ValidationCurve.DropFromBest([new(1, 0.3, 0.10), new(2, 0.4, 0.16), new(3, 0.45, 0.13)]).Should().BeApproximately(0.03, 1e-12);
        ValidationCurve.DropFromBest([new(1, 0.3, 0.10), new(2, 0.4, 0.16)]).Should().Be(0);
        ValidationCurve.DropFromBest([]).Should().Be(0);
    }
}
