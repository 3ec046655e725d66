using Dwf.Robustness.Attacks;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Tests.TestSupport;
using Dwf.Robustness.Training;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Training;

public class TradesTests
{
    [Fact]
    public void TradesLoss_TwoSamples_MatchesHandComputation()
    {
        using var scope = NewDisposeScope();
        double[,] clean = { { 2.0, 0.0, -1.0 }, { 0.0, 0.5, 0.5 } };
        double[,] adversarial = { { 0.0, 1.0, 0.0 }, { 1.0, 0.0, 0.0 } };
        long[] y = [0, 2];

        double loss = TrainingObjective.TradesLoss(tensor(clean.Cast<double>().ToArray()).view(2, 3), tensor(adversarial.Cast<double>().ToArray()).view(2, 3), tensor(y), beta: 6).item<double>();

        double expected = 0;
        for (int b = 0; b < 2; b++)
        {
            double zp = Enumerable.Range(0, 3).Sum(k => Math.Exp(clean[b, k]));
            double zq = Enumerable.Range(0, 3).Sum(k => Math.Exp(adversarial[b, k]));
            double ce = -Math.Log(Math.Exp(clean[b, y[b]]) / zp);
            double kl = Enumerable.Range(0, 3).Sum(k =>
            {
                double p = Math.Exp(clean[b, k]) / zp, q = Math.Exp(adversarial[b, k]) / zq;
                return p * Math.Log(p / q);
            });
            expected += (ce + 6 * kl) / 2;
        }

        loss.Should().BeApproximately(expected, 1e-9);
    }

    [Fact]
    public void TradesAttack_TinyModel_StaysInBudgetAndRaisesTheKlFromTheCleanPrediction()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyCnn(4, seed: 2);
        model.eval();
        var (x, y) = SyntheticImages.Make(32, seed: 8);
        using var generator = new Generator(1);

        var adversarial = new TradesAttack(0.05, 0.0125, steps: 5).Perturb(model, x, y, generator);

        (adversarial - x).abs().max().item<float>().Should().BeLessThanOrEqualTo(0.05f + 1e-6f);
        (adversarial.min().item<float>() >= 0 && adversarial.max().item<float>() <= 1).Should().BeTrue();
        using var noGrad = no_grad();
        var p = nn.functional.log_softmax(model.call(x), 1);
        double attacked = TradesAttack.KlPerSample(p, model.call(adversarial)).mean().item<float>();
        double random = TradesAttack.KlPerSample(p, model.call((x + 0.05 * (rand_like(x) * 2 - 1)).clamp(0, 1))).mean().item<float>();
        attacked.Should().BeGreaterThan(2 * random, "the ascent must beat random noise of the same budget");
    }

    [Fact]
    public void Fit_TradesObjective_TrainsCleanAndAdversarialAccuracy()
    {
        using var data = SyntheticDataset.Create(192);
        using var module = new TinyCnn(4, seed: 1);
        var options = new ExpertTrainingOptions
        {
            Epochs = 4, Attack = new TradesAttack(0.03, 0.01, steps: 2), Objective = TrainingObjective.Trades(6),
            Optimizer = new OptimizerOptions { LearningRate = 0.05 },
        };

        var result = new ExpertTrainer(options).Fit(new Expert(module, "trades", 4, ExpertKind.Pgd), SyntheticDataset.Loader(data));

        result.History[^1].Loss.Should().BeLessThan(result.History[0].Loss);
        result.History[^1].CleanAccuracy.Should().BeGreaterThan(0.4, "chance is 0.25");
        result.History[^1].AdversarialAccuracy.Should().BeInRange(0, 1);
    }

    [Fact]
    public void Options_TradesWithoutAttack_RefusedNamingTheFix()
    {
        var act = () => new ExpertTrainer(new ExpertTrainingOptions { Objective = TrainingObjective.Trades() });
        act.Should().Throw<ArgumentException>().WithMessage("*TRADES*needs an attack*TradesAttack*");
    }

    [Fact]
    public void Options_TradesWithMixedBatches_Refused()
    {
        var act = () => new ExpertTrainer(new ExpertTrainingOptions { Objective = TrainingObjective.Trades(), Attack = new TradesAttack(), MixCleanWithAdversarial = true });
        act.Should().Throw<ArgumentException>().WithMessage("*MixCleanWithAdversarial*");
    }

    [Fact]
    public void Trades_NegativeBeta_Refused()
    {
        var act = () => TrainingObjective.Trades(-1);
        act.Should().Throw<ArgumentException>().WithMessage("*β*-1*");
    }

    [Fact]
    public void KlLoss_UsedAsALabelObjective_RefusedNamingTradesAttack()
    {
        using var scope = NewDisposeScope();
        var act = () => AttackObjectives.PerSample(AttackLoss.KullbackLeibler, zeros(2, 3), zeros(2, dtype: ScalarType.Int64));
        act.Should().Throw<ArgumentException>().WithMessage("*TradesAttack*");
    }
}
