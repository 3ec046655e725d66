using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Evaluation;

public class EvaluationPlanTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    // Deterministic, per-sample attacks (no random start): a cascade must then agree with the sweep image by image.
    private static IAttack[] Deterministic() =>
    [
        new Fgsm(0.05),
        new Pgd(0.05, 0.0125, steps: 5, randomStart: false),
        new Pgd(0.05, 0.0125, steps: 5, randomStart: false, loss: AttackLoss.CarliniWagnerMargin),
    ];

    private RobustnessReport Run(StageKind kind, params IAttack[] attacks) =>
        new RobustnessEvaluator(new EvaluationOptions
        {
            Plan = new EvaluationPlan("p", [new EvaluationStage("s", kind, attacks)]),
            BatchSize = 64,
            SanityChecks = false,
        }).Evaluate(f.Trained.Model, f.TestSet, "tiny");

    [Theory]
    [InlineData(PlanKind.AutoAttackRapid)]
    [InlineData(PlanKind.AutoAttackStandard)]
    public void For_AutoAttackPlanInL2_EveryAttackL2AtTheCifar10Budget(PlanKind kind)
    {
        var plan = EvaluationPlans.For(kind, new EvaluationOptions(), threatModel: ThreatModel.L2);

        plan.ThreatModel.Should().Be(ThreatModel.L2);
        plan.Attacks().Should().OnlyContain(a => a.Attack.Descriptor.Norm == ThreatModel.L2 && a.Attack.Descriptor.Epsilon == 0.5);
    }

    [Fact]
    public void For_PaperPlanInL2_ThrowsNamingTheAutoAttackPlans()
    {
        var act = () => EvaluationPlans.For(PlanKind.Paper, new EvaluationOptions(), threatModel: ThreatModel.L2);

        act.Should().Throw<ArgumentException>().WithMessage("*paper plan is L∞*AutoAttackRapid or AutoAttackStandard*");
    }

    [Fact]
    public void Evaluate_Cascade_RobustSetEqualsPerSampleAndOfTheSweep()
    {
        var sweep = Run(StageKind.Sweep, Deterministic());
        var cascade = Run(StageKind.Cascade, Deterministic());

        var clean = sweep.CleanOutcomes!.ToArray();
        var robust = clean.ToArray();
        for (int a = 0; a < sweep.Attacks.Count; a++)
        {
            var single = sweep.Attacks[a].Outcomes!.ToArray();
            robust = robust.Zip(single, (r, s) => r && s).ToArray();
            cascade.Attacks[a].Outcomes!.ToArray().Should().Equal(robust, $"after attack {a + 1} the cascade holds exactly the images robust to attacks 1–{a + 1}");
            cascade.Attacks[a].Kind.Should().Be(StageKind.Cascade);
        }

        cascade.Plan.Stages.Single().RobustAccuracy.Should().Be(sweep.Plan.Stages.Single().RobustAccuracy);
        cascade.WorstCase.Single().Accuracy.Should().Be(sweep.WorstCase.Single().Accuracy);
        cascade.Attacks.Select(a => a.Accuracy).Should().BeInDescendingOrder("cumulative robust accuracy never rises along a cascade");
    }

    [Fact]
    public void Paper_TwoPgdLosses_OneAttackPerBudgetStepsAndLossFoundByLoss()
    {
        var options = new EvaluationOptions
        {
            FgsmEpsilons = [0.05], PgdEpsilons = [0.05], PgdSteps = [3], PgdStepSize = 0.0125,
            PgdLosses = [AttackLoss.CrossEntropy, AttackLoss.CarliniWagnerMargin], BatchSize = 64, SanityChecks = false,
        };

        var plan = EvaluationPlans.Paper(options);
        var report = new RobustnessEvaluator(options).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        plan.Stages.Single().Attacks.Select(a => a.Descriptor.Loss).Should()
            .Equal([AttackLoss.CrossEntropy, AttackLoss.CrossEntropy, AttackLoss.CarliniWagnerMargin], "FGSM, then PGD per loss");
        var cw = report.Find(AttackFamily.Pgd, 0.05, 3, AttackLoss.CarliniWagnerMargin);
        cw.Should().NotBeNull();
        cw!.Descriptor.Loss.Should().Be(AttackLoss.CarliniWagnerMargin);
        report.Find(AttackFamily.Pgd, 0.05, 3, AttackLoss.CrossEntropy)!.Descriptor.Loss.Should().Be(AttackLoss.CrossEntropy);
        report.RobustAccuracyAt(0.05).Should().BeLessThanOrEqualTo(Math.Min(cw.Accuracy, report.AccuracyUnder(AttackFamily.Pgd, 0.05, 3, AttackLoss.CrossEntropy)!.Value));
    }

    [Theory]
    [InlineData(AttackLoss.TargetedDifferenceOfLogitsRatio, "*Targeted DLR needs targets*")]
    [InlineData((AttackLoss)17, "*got 17*")]
    public void Validate_UnsupportedPgdLoss_ThrowsNamingIt(AttackLoss loss, string message)
    {
        var options = new EvaluationOptions { PgdLosses = [loss] };

        var act = options.Validate;

        act.Should().Throw<ArgumentException>().WithParameterName("PgdLosses").WithMessage(message);
    }

    [Fact]
    public void Evaluate_AutoAttackRapid_OneBudgetCascadeNoWeakerThanPgd()
    {
        var plan = EvaluationPlans.AutoAttackRapid(0.05, steps: 10);
        var options = new EvaluationOptions { Plan = plan, BatchSize = 64, SanityChecks = false, Seed = 1 };
        var aa = new RobustnessEvaluator(options).Evaluate(f.Trained.Model, f.TestSet, "tiny");
        var pgd = Run(StageKind.Sweep, new Pgd(0.05, 0.0125, steps: 10));

        aa.Plan.Name.Should().Be("aa-rapid");
        aa.Attacks.Select(a => a.Descriptor.Family).Should().Equal(AttackFamily.Apgd, AttackFamily.Apgd);
        aa.Attacks[1].Descriptor.TargetClasses.Should().Be(3);
        aa.WorstCase.Should().ContainSingle().Which.Epsilon.Should().Be(0.05);
        aa.RobustAccuracyAt(0.05).Should().BeLessThanOrEqualTo(pgd.RobustAccuracyAt(0.05)!.Value + 0.01);
    }

    [Fact]
    public void Evaluate_PgdL2Plan_ReportIsL2WithOneWorstCase()
    {
        var report = Run(StageKind.Sweep, new Pgd(0.5, 0.125, steps: 5, threatModel: ThreatModel.L2), new Pgd(0.5, 0.125, steps: 5, loss: AttackLoss.CarliniWagnerMargin, threatModel: ThreatModel.L2));

        report.ThreatModel.Should().Be(ThreatModel.L2);
        report.Attacks.Should().OnlyContain(a => a.Descriptor.Norm == ThreatModel.L2);
        report.WorstCase.Should().ContainSingle().Which.Epsilon.Should().Be(0.5);
        report.Options.PgdEpsilons.Should().Equal(0.5);
    }

    [Fact]
    public void Plans_AutoAttackL2_EveryAttackL2()
    {
        var standard = EvaluationPlans.AutoAttackStandard(0.5, threatModel: ThreatModel.L2);
        var rapid = EvaluationPlans.AutoAttackRapid(0.5, threatModel: ThreatModel.L2);

        standard.Validate();
        rapid.Validate();
        standard.ThreatModel.Should().Be(ThreatModel.L2);
        standard.Attacks().Select(a => (a.Attack.Descriptor.Family, a.Attack.Descriptor.Norm)).Should().Equal(
            (AttackFamily.Apgd, ThreatModel.L2), (AttackFamily.Apgd, ThreatModel.L2), (AttackFamily.Fab, ThreatModel.L2), (AttackFamily.Square, ThreatModel.L2));
        rapid.ThreatModel.Should().Be(ThreatModel.L2);
    }

    [Fact]
    public void Validate_PlanMixingNorms_ThrowsNamingBoth()
    {
        var plan = new EvaluationPlan("mixed", [new EvaluationStage("s", StageKind.Sweep, [new Pgd(0.5, 0.1, threatModel: ThreatModel.L2), new Fgsm(0.5)])]);

        var act = () => plan.Validate();

        act.Should().Throw<ArgumentException>().WithMessage("*mixes threat models (L2, Linf)*plan of its own*");
    }

    [Fact]
    public void Evaluate_AutoAttackRapid_RecordsNoFgsmOrPgdSettings()
    {
        var options = new EvaluationOptions { Plan = EvaluationPlans.AutoAttackRapid(0.05, steps: 2), BatchSize = 64, SanityChecks = false, Seed = 1 };

        var report = new RobustnessEvaluator(options).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        report.Options.FgsmEpsilons.Should().BeEmpty("aa-rapid runs no FGSM");
        report.Options.PgdEpsilons.Should().BeEmpty("aa-rapid runs no PGD");
        report.Options.PgdSteps.Should().BeEmpty();
    }

    [Fact]
    public void Plans_Standard_ApgdCeThenTargetedThenFabTThenSquare()
    {
        var plan = EvaluationPlans.AutoAttackStandard(8.0 / 255);
        var attacks = plan.Attacks().Select(a => a.Attack.Descriptor).ToList();

        plan.Stages.Should().ContainSingle().Which.Kind.Should().Be(StageKind.Cascade);
        attacks.Select(d => (d.Family, d.Loss, d.TargetClasses, d.Queries)).Should().Equal(
            (AttackFamily.Apgd, AttackLoss.CrossEntropy, 0, 0),
            (AttackFamily.Apgd, AttackLoss.TargetedDifferenceOfLogitsRatio, 9, 0),
            (AttackFamily.Fab, AttackLoss.CarliniWagnerMargin, 9, 0),
            (AttackFamily.Square, AttackLoss.CarliniWagnerMargin, 0, 5000));
        attacks.Should().OnlyContain(d => d.Epsilon == 8.0 / 255 && d.Norm == ThreatModel.Linf);
    }

    [Theory]
    [InlineData(PlanKind.AutoAttackStandard, 5, 4)]
    [InlineData(PlanKind.AutoAttackStandard, 10, 9)]
    [InlineData(PlanKind.AutoAttackStandard, 100, 9)]
    [InlineData(PlanKind.AutoAttackRapid, 4, 3)]
    [InlineData(PlanKind.AutoAttackRapid, 10, 3)]
    public void For_ModelWithFewClasses_TargetedAttacksAimAtTheOtherClassesThereAre(PlanKind kind, int classes, int targets)
    {
        var plan = EvaluationPlans.For(kind, new EvaluationOptions(), classes: classes);

        plan.Attacks().Select(a => a.Attack.Descriptor).Where(d => d.Targeted).Should().NotBeEmpty()
            .And.OnlyContain(d => d.TargetClasses == targets);
    }

    [Theory]
    [InlineData(PlanKind.AutoAttackRapid)]
    [InlineData(PlanKind.AutoAttackStandard)]
    public void For_ThreeClasses_ThrowsNamingTheDlrLimitAndThePaperPlan(PlanKind kind)
    {
        var act = () => EvaluationPlans.For(kind, new EvaluationOptions(), classes: 3);

        act.Should().Throw<ArgumentException>().WithMessage("*targeted DLR loss*at least 4 classes*has 3*paper plan*");
    }

    [Fact]
    public void Validate_EmptyStageOrDuplicateNames_ThrowNamingThem()
    {
        var empty = () => new EvaluationOptions { Plan = new EvaluationPlan("p", [new EvaluationStage("s", StageKind.Sweep, [])]) }.Validate();
        empty.Should().Throw<ArgumentException>().WithMessage("*'s'*at least one attack*");

        var stage = new EvaluationStage("s", StageKind.Sweep, [new Fgsm(0.1)]);
        var duplicate = () => new EvaluationOptions { Plan = new EvaluationPlan("p", [stage, stage]) }.Validate();
        duplicate.Should().Throw<ArgumentException>().WithMessage("*two stages named 's'*");
    }
}
