namespace Dwf.Cifar10.Tests;

public class PresetsTests
{
    [Fact]
    public void Paper_NoDeviations()
    {
        var paper = Presets.Create("paper", "/d", "/r");
        Presets.DeviationsFromPaper(paper).Should().BeEmpty();
        (paper.ExpertWidth, paper.ExpertEpochs, paper.JointEpochs, paper.CleanExperts, paper.FgsmExperts, paper.PgdExperts)
            .Should().Be((1.0, 150, 100, 1, 4, 4));
        paper.PgdTrainSteps.Should().Equal(10, 20, 30, 40, 50);
        paper.FgsmEpsilons.Should().Equal(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09);
    }

    [Fact]
    public void CpuSmall_ListsEveryDeviation()
    {
        var deviations = Presets.DeviationsFromPaper(Presets.Create("cpu-small", "/d", "/r"));
        deviations.Should().Contain(d => d.StartsWith("expert width ×0.25"))
            .And.Contain(d => d.StartsWith("5 pre-training epochs"))
            .And.Contain(d => d.StartsWith("PGD training iterations {2, 3, 4, 5}"))
            .And.Contain(d => d.StartsWith("3 joint epochs"));
    }

    [Fact]
    public void Create_UnknownPreset_Throws()
    {
        var act = () => Presets.Create("gpu-huge", "/d", "/r");
        act.Should().Throw<ArgumentException>().WithMessage("*paper, cpu-small, micro*");
    }

    [Theory]
    [InlineData(2, 10.0 / 255)]
    [InlineData(5, 4.0 / 255)]
    [InlineData(10, 2.0 / 255)]
    [InlineData(50, 2.0 / 255)]
    public void PgdStepFor_Steps_CrossesBallInTime(int steps, double expected)
    {
        Presets.Create("paper", "/d", "/r").PgdStepFor(steps).Should().BeApproximately(expected, 1e-12);
    }
}
