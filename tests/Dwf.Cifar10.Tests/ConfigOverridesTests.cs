namespace Dwf.Cifar10.Tests;

public class ConfigOverridesTests
{
    private static RunConfig Micro => Presets.Create("micro", "/data", "/run");

    [Fact]
    public void Apply_IntDoubleListAndNullable_SetsValues()
    {
        var c = ConfigOverrides.Apply(Micro, ["ExpertEpochs=7", "expertwidth=0.5", "PgdTrainSteps=3,4", "TrainPerClass=null"]);

        c.ExpertEpochs.Should().Be(7);
        c.ExpertWidth.Should().Be(0.5);
        c.PgdTrainSteps.Should().Equal(3, 4);
        c.TrainPerClass.Should().BeNull();
    }

    [Fact]
    public void Apply_UnknownSetting_ThrowsListingSettings()
    {
        var act = () => ConfigOverrides.Apply(Micro, ["Nope=1"]);
        act.Should().Throw<ArgumentException>().WithMessage("*no setting 'Nope'*ExpertEpochs*");
    }

    [Fact]
    public void Apply_BadValue_ThrowsNamingSetting()
    {
        var act = () => ConfigOverrides.Apply(Micro, ["ExpertEpochs=many"]);
        act.Should().Throw<ArgumentException>().WithMessage("*ExpertEpochs*'many'*");
    }

    [Fact]
    public void Apply_RecipeKnobsAndEnums_SetsValuesAndPerKindEpochs()
    {
        var c = ConfigOverrides.Apply(Micro,
            ["ExpertSchedule=onecycle", "ExpertNesterov=true", "ExpertWarmupEpochs=1.5", "PgdExpertEpochs=4", "MixingMode=Probabilities", "JointExpertRateScaling=None"]);

        c.ExpertSchedule.Should().Be(Dwf.Robustness.Training.LearningRateSchedule.OneCycle);
        c.ExpertNesterov.Should().BeTrue();
        c.ExpertWarmupEpochs.Should().Be(1.5);
        c.MixingMode.Should().Be(Dwf.Robustness.Moe.MixtureMode.Probabilities);
        c.JointExpertRateScaling.Should().Be(Dwf.Robustness.Training.ExpertRateScaling.None);
        c.EpochsFor(Dwf.Robustness.Experts.ExpertKind.Pgd).Should().Be(4);
        c.EpochsFor(Dwf.Robustness.Experts.ExpertKind.Clean).Should().Be(c.ExpertEpochs);
    }

    [Fact]
    public void Apply_UnknownEnumValue_ThrowsListingValues()
    {
        var act = () => ConfigOverrides.Apply(Micro, ["ExpertSchedule=triangular"]);
        act.Should().Throw<ArgumentException>().WithMessage("*ExpertSchedule*'triangular'*Cosine, Constant, OneCycle*");
    }

    [Fact]
    public void Apply_UnknownDefense_ThrowsListingTheDefenses()
    {
        var act = () => ConfigOverrides.Apply(Micro, ["CompareDefenses=Dwf,Madry"]);

        act.Should().Throw<ArgumentException>().WithMessage("*CompareDefenses*Dwf, FrozenExperts, PgdAt, Trades, Soe, AdvMoe*");
    }
}
