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
            ["ExpertOptimizer.Schedule=onecycle", "expertoptimizer.nesterov=true", "ExpertOptimizer.WarmupEpochs=1.5", "PgdExpertEpochs=4", "Joint.MixingMode=Probabilities", "JointExpertRateScaling=None"]);

        c.ExpertOptimizer.Schedule.Should().Be(Dwf.Robustness.Training.LearningRateSchedule.OneCycle);
        c.ExpertOptimizer.Nesterov.Should().BeTrue();
        c.ExpertOptimizer.WarmupEpochs.Should().Be(1.5);
        c.Joint.MixingMode.Should().Be(Dwf.Robustness.Moe.MixtureMode.Probabilities);
        c.Joint.ExpertRateScaling.Should().Be(Dwf.Robustness.Training.ExpertRateScaling.None);
        c.EpochsFor(Dwf.Robustness.Experts.ExpertKind.Pgd).Should().Be(4);
        c.EpochsFor(Dwf.Robustness.Experts.ExpertKind.Clean).Should().Be(c.ExpertEpochs);
    }

    [Fact]
    public void Apply_UnknownEnumValue_ThrowsListingValues()
    {
        var act = () => ConfigOverrides.Apply(Micro, ["ExpertOptimizer.Schedule=triangular"]);
        act.Should().Throw<ArgumentException>().WithMessage("*ExpertOptimizer.Schedule*'triangular'*Cosine, Constant, OneCycle*");
    }

    [Fact]
    public void Apply_UnknownDefense_ThrowsListingTheDefenses()
    {
        var act = () => ConfigOverrides.Apply(Micro, ["CompareDefenses=Dwf,Madry"]);

        act.Should().Throw<ArgumentException>().WithMessage("*CompareDefenses*Dwf, FrozenExperts, PgdAt, Trades, Soe, AdvMoe*");
    }

    [Fact]
    public void Apply_FlatNameOfAnOlderVersion_SetsItsNestedPlaces()
    {
        var c = ConfigOverrides.Apply(Micro, ["ExpertLearningRate=0.05", "JointWarmupEpochs=0.5", "GateLearningRate=0.2"]);

        c.ExpertOptimizer.LearningRate.Should().Be(0.05);
        (c.GateOptimizer.WarmupEpochs, c.JointExpertOptimizer.WarmupEpochs).Should().Be((0.5, 0.5), "the old setting warmed up both joint optimizers");
        ConfigOverrides.Apply(Micro, ["GateEntropyWeight=0.01"]).Joint.GateEntropyWeight.Should().Be(0.01, "flat joint names of older versions map into Joint");
        var eval = ConfigOverrides.Apply(Micro, ["EvalPerClass=7", "EvalSkipPerClass=900", "Eval.RapidOnSurvivors=true"]).Eval;
        (eval.PerClass, eval.SkipPerClass, eval.RapidOnSurvivors).Should().Be((7, 900, true), "flat evaluation names (docs/results/*.sh) map into Eval");
        eval.BatchSize.Should().Be(Micro.Eval.BatchSize, "the preset's other evaluation settings stay");
        var rivals = ConfigOverrides.Apply(Micro, ["SoeExperts=4", "TradesBeta=3", "AdvMoe.Steps=3"]);
        (rivals.Soe.Experts, rivals.Trades.Beta, rivals.AdvMoe.Steps).Should().Be((4, 3.0, 3), "flat baseline names map into Soe, Trades and AdvMoe");
        (rivals.Soe.Width, rivals.AdvMoe.Epochs).Should().Be((Micro.Soe.Width, Micro.AdvMoe.Epochs), "the preset's other baseline settings stay");
        c.GateOptimizer.LearningRate.Should().Be(0.2);
        Micro.ExpertOptimizer.LearningRate.Should().NotBe(0.05, "the preset itself is not changed");
    }

    [Fact]
    public void Apply_GroupWithoutASetting_ThrowsListingItsSettings()
    {
        var act = () => ConfigOverrides.Apply(Micro, ["GateOptimizer=0.1"]);

        act.Should().Throw<ArgumentException>().WithMessage("*'GateOptimizer' is a group*GateOptimizer.LearningRate*GateOptimizer.Momentum*");
    }

    [Fact]
    public void Apply_UnknownNestedSetting_ThrowsListingNestedSettings()
    {
        var act = () => ConfigOverrides.Apply(Micro, ["ExpertOptimizer.Speed=3"]);

        act.Should().Throw<ArgumentException>().WithMessage("*no setting 'ExpertOptimizer.Speed'*ExpertOptimizer.WarmupEpochs*");
    }
}
