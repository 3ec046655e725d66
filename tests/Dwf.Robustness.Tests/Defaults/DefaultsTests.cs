using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defaults;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Training;

namespace Dwf.Robustness.Tests.Defaults;

/// <summary>Pins every documented default to its source, and checks that the options and attacks use them.</summary>
public class DefaultsTests
{
    [Fact]
    public void PaperDefaults_Values_AreThePapers()
    {
        (PaperDefaults.CleanExperts, PaperDefaults.FgsmExperts, PaperDefaults.PgdExperts).Should().Be((1, 4, 4));
        (PaperDefaults.ExpertEpochs, PaperDefaults.JointEpochs).Should().Be((150, 100));
        PaperDefaults.PgdEpsilon.Should().Be(8.0 / 255);
        PaperDefaults.EvaluationPgdSteps.Should().Be(20);
        PaperDefaults.HeadlineFgsmEpsilon.Should().Be(0.09);
        PaperDefaults.FgsmEpsilons.Should().Equal(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09);
        PaperDefaults.PgdTrainingSteps.Should().Equal(10, 20, 30, 40, 50);
    }

    [Fact]
    public void OptionsAndAttacks_Defaults_ReferToTheDefaultsClasses()
    {
        new ExpertTrainingOptions().Epochs.Should().Be(PaperDefaults.ExpertEpochs);
        new JointTrainingOptions().Epochs.Should().Be(PaperDefaults.JointEpochs);
        new JointTrainingOptions().Experts.LearningRate.Should().Be(OurDefaults.JointExpertLearningRate);
        new JointTrainingOptions().MaxExpertRateScale.Should().Be(OurDefaults.MaxExpertRateScale);
        new OptimizerOptions().Should().BeEquivalentTo(new { LearningRate = OurDefaults.LearningRate, Momentum = OurDefaults.Momentum, WeightDecay = OurDefaults.WeightDecay });
        var pgd = new Pgd();
        (pgd.Epsilon, pgd.StepSize).Should().Be((PaperDefaults.PgdEpsilon, OurDefaults.PgdStepSize));
        new Apgd().Steps.Should().Be(AutoAttackDefaults.ApgdSteps);
        PaperAttacks.FgsmEpsilons.Should().BeSameAs(PaperDefaults.FgsmEpsilons);
        Epsilon.Cifar10Default.Should().Be(PaperDefaults.PgdEpsilon);
        Epsilon.Cifar10L2Default.Should().Be(AutoAttackDefaults.Cifar10L2Epsilon);
        new EvaluationOptions().PgdEpsilons.Should().Equal(PaperDefaults.PgdEpsilon);
        new EvaluationOptions().PgdSteps.Should().Equal(OurDefaults.EvaluationPgdSteps);
    }

    [Fact]
    public void AutoAttackDefaults_Values_AreAutoAttacks()
    {
        (AutoAttackDefaults.ApgdSteps, AutoAttackDefaults.StandardTargets, AutoAttackDefaults.RapidTargets, AutoAttackDefaults.SquareQueries).Should().Be((100, 9, 3, 5000));
        AutoAttackDefaults.Cifar10L2Epsilon.Should().Be(0.5);
        AutoAttackDefaults.SquareRescaleSchedule.Should().BeFalse();
        new Square().RescaleSchedule.Should().Be(AutoAttackDefaults.SquareRescaleSchedule);
    }

    [Fact]
    public void SharedLists_Mutation_Refused()
    {
        // Before, InputNormalization.Cifar10Mean was a public double[]: overwriting an element silently changed every later default model.
        var mean = (IList<double>)OurDefaults.Cifar10Mean;
        var grid = (IList<double>)PaperDefaults.FgsmEpsilons;

        FluentActions.Invoking(() => mean[0] = 0.5).Should().Throw<NotSupportedException>();
        FluentActions.Invoking(() => grid[0] = 0.5).Should().Throw<NotSupportedException>();
        InputNormalization.Cifar10Mean.Should().BeSameAs(OurDefaults.Cifar10Mean);
    }
}
