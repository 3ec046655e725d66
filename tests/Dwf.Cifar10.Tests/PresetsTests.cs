namespace Dwf.Cifar10.Tests;

public class PresetsTests
{
    [Fact]
    public void Paper_OnlyTheValidationSplitDeviates()
    {
        var paper = Presets.Create("paper", "/d", "/r");
        Presets.DeviationsFromPaper(paper).Should().ContainSingle().Which.Should().Contain("validation split");
        (paper.ExpertWidth, paper.ExpertEpochs, paper.Joint.Epochs, paper.CleanExperts, paper.FgsmExperts, paper.PgdExperts)
            .Should().Be((1.0, 150, 100, 1, 4, 4));
        paper.PgdTrainSteps.Should().Equal(10, 20, 30, 40, 50);
        paper.FgsmEpsilons.Should().Equal(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09);
    }

    [Fact]
    public void CpuSmall_ListsEveryDeviation()
    {
        var deviations = Presets.DeviationsFromPaper(Presets.Create("cpu-small", "/d", "/r"));
        deviations.Should().Contain(d => d.StartsWith("expert width ×0.25"))
            .And.Contain(d => d.StartsWith("4 pre-training epochs"))
            .And.Contain(d => d.StartsWith("PGD training iterations {2, 3, 4, 5}"))
            .And.Contain(d => d.StartsWith("2 joint epochs"))
            .And.Contain(d => d.StartsWith("joint training on 200 images per class"));
    }

    [Theory]
    [InlineData("cpu-small")]
    [InlineData("cpu-medium")]
    public void CpuPresets_PoweredVerdictAndCalibratedRecipe(string name)
    {
        var c = Presets.Create(name, "/d", "/r");

        c.Eval.PerClass.Should().BeGreaterThanOrEqualTo(100, "a verdict on 1,000 test images or more");
        c.Controls.Should().BeTrue();
        c.ValidationPerClass.Should().BeGreaterThan(0);
        (c.ExpertOptimizer.Schedule, c.ExpertOptimizer.Nesterov).Should().Be((Dwf.Robustness.Training.LearningRateSchedule.OneCycle, true));
        c.ExpertOptimizer.WarmupEpochs.Should().BeApproximately(0.15 * c.ExpertEpochs, 1e-9, "the calibrated recipe warms up over 15% of the epochs");
        c.Eval.PgdLosses.Should().Contain(Dwf.Robustness.Attacks.AttackLoss.CarliniWagnerMargin);
        c.Validate();
    }

    [Fact]
    public void Validate_ZeroExpertEpochs_ThrowsNamingFlag()
    {
        var act = () => (Presets.Create("micro", "/d", "/r") with { ExpertEpochs = 0 }).Validate();

        act.Should().Throw<ArgumentException>().WithMessage("*ExpertEpochs*≥ 1*--expert-epochs*");
    }

    [Fact]
    public void Validate_EvalSkipPerClassWithoutEvalPerClass_ThrowsNamingTheFix()
    {
        var act = (Presets.Create("paper", "/d", "/r") with { Eval = new EvalSettings { SkipPerClass = 900 } }).Validate;

        act.Should().Throw<ArgumentException>().WithMessage("*Eval.SkipPerClass*needs Eval.PerClass*900*unset*");
    }

    [Fact]
    public void Validate_WideControlWithoutControls_Throws()
    {
        var act = (Presets.Create("micro", "/d", "/r") with { WideControl = true, Controls = false }).Validate;

        act.Should().Throw<ArgumentException>().WithMessage("*WideControl*Controls=true*");
    }

    [Fact]
    public void DeviationsFromPaper_SkippedTestImages_SaysWhichImages()
    {
        var preset = Presets.Create("cpu-small", "/d", "/r");
        var c = preset with { Eval = preset.Eval with { SkipPerClass = 900 } };

        Presets.DeviationsFromPaper(c).Should().Contain(d => d.Contains("test images 901–1000 of each class", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_CompareDefensesWithoutDwf_ThrowsNamingTheFix()
    {
        var c = ConfigOverrides.Apply(Presets.Create("micro", "/d", "/r"), ["CompareDefenses=Trades,Soe"]);

        var act = c.Validate;

        act.Should().Throw<ArgumentException>().WithMessage("*CompareDefenses must name Dwf*[Trades, Soe]*Dwf, FrozenExperts, PgdAt*");
    }

    [Theory]
    [InlineData("Soe.Depth=21", "*Soe.Depth 6n+2*21*")]
    [InlineData("AdvMoe.Ratio=1.5", "*AdvMoe.Ratio in (0,1]*1.5*")]
    [InlineData("Trades.Beta=-1", "*Trades.Beta ≥ 0*-1*")]
    public void Validate_RivalSettingThatCannotWork_ThrowsNamingIt(string assignment, string message)
    {
        var c = ConfigOverrides.Apply(Presets.Create("micro", "/d", "/r"), [assignment, "CompareDefenses=Dwf"]);

        var act = c.Validate;

        act.Should().Throw<ArgumentException>("every defense's settings are checked, selected or not").WithMessage(message);
    }

    [Fact]
    public void Validate_CompareDefensesTwice_Throws()
    {
        var c = ConfigOverrides.Apply(Presets.Create("micro", "/d", "/r"), ["CompareDefenses=Dwf,dwf"]);

        var act = c.Validate;

        act.Should().Throw<ArgumentException>().WithMessage("*no defense twice*");
    }

    [Fact]
    public void Create_UnknownPreset_Throws()
    {
        var act = () => Presets.Create("gpu-huge", "/d", "/r");
        act.Should().Throw<ArgumentException>().WithMessage("*paper, cpu-medium, cpu-small, micro*");
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
