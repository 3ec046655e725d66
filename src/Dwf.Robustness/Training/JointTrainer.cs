using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Moe;
using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Training;

/// <summary>
/// Phase 2 of DWF: trains the gate and all experts of a <see cref="MixtureOfExperts"/> end to end (experts not
/// frozen unless asked) on batches that combine benign images with FGSM and PGD examples of randomized strength,
/// all crafted against the current whole mixture — through the gate. Gate and experts have separate optimizers
/// and learning rates. Never writes to the console.
/// </summary>
public sealed class JointTrainer : AdversarialTrainer<MixtureOfExperts, JointTrainingOptions>
{
    /// <summary>Creates a trainer; the options (defaults when null) are validated at once.</summary>
    /// <inheritdoc cref="AdversarialTrainer{TModel, TOptions}.AdversarialTrainer(TOptions, ILogger)" path="/param"/>
    public JointTrainer(JointTrainingOptions? options = null, ILogger? logger = null)
        : base(options, logger)
    {
    }

    /// <summary>
    /// The mixture's part of <see cref="AdversarialTrainer{TModel, TOptions}.Fit"/>: with
    /// <see cref="JointTrainingOptions.FreezeExperts"/> the experts are frozen first and stay frozen afterwards,
    /// otherwise they are unfrozen; a gate optimizer and (unless frozen) one for the experts with a parameter group per
    /// expert, whose rate follows its mean gate weight; the mixture's experts and gate in the fingerprint.
    /// </summary>
    private protected override TrainingSetup Prepare(MixtureOfExperts model, BatchLoader loader)
    {
        if (Options.FreezeExperts)
        {
            model.FreezeExperts();
        }
        else
        {
            model.UnfreezeExperts();
        }

        var gateOptimizer = Sgd.Create(model.Gate.parameters(), Options.Gate);
        var (expertOptimizer, expertOfGroup) = Options.FreezeExperts
            ? (null, [])
            : Sgd.CreateGrouped(model.Experts.Select(e => e.Module.parameters()), Options.Experts); // groups per expert: a rate per expert
        var expertScale = Enumerable.Repeat(1.0, model.Experts.Count).ToArray();
        var optimizers = new List<(OptimizerHelper, OptimizerOptions)> { (gateOptimizer, Options.Gate) };
        if (expertOptimizer is not null)
        {
            optimizers.Add((expertOptimizer, Options.Experts));
        }

        return new TrainingSetup
        {
            Phase = "joint",
            Module = model,
            Optimizers = optimizers,
            Fingerprint = new Dictionary<string, string>
            {
                ["experts"] = string.Join(",", model.Experts.Select(e => e.Name)),
                ["mixture"] = MixtureFingerprint(model),
            },
            Step = (batch, generator, stats) => Step(model, gateOptimizer, expertOptimizer, batch, generator, stats),
            GroupScale = (optimizer, group) => optimizer == 1 ? expertScale[expertOfGroup[group]] : 1.0,
            BeforeEpoch = (epoch, history) => ScaleExpertRates(expertScale, epoch == 0 || history.Count < epoch ? null : history[epoch - 1].MeanGateWeights),
            BeforeFirstStep = () => WarmGateStatistics(model, loader),
        };
    }

    /// <summary>Sets each expert's rate multiplier from its mean gate weight over the previous epoch (uniform when none).</summary>
    private void ScaleExpertRates(double[] scale, IReadOnlyList<double>? meanWeights)
    {
        for (int i = 0; i < scale.Length; i++)
        {
            double w = meanWeights is { } m && i < m.Count && double.IsFinite(m[i]) ? m[i] : 1.0 / scale.Length;
            scale[i] = Options.ExpertRateScaling == ExpertRateScaling.InverseGateWeight
                ? Math.Min(Options.MaxExpertRateScale, 1 / Math.Max(w, 1e-12))
                : 1.0;
        }
    }

    /// <summary>Runs clean batches through the gate in training mode, without gradients, to warm its BatchNorm statistics.</summary>
    private void WarmGateStatistics(MixtureOfExperts mixture, BatchLoader loader)
    {
        if (Options.GateWarmupBatches == 0)
        {
            return;
        }

        mixture.Gate.train();
        using var noGrad = no_grad();
        foreach (var batch in loader.Epoch(0).Take(Options.GateWarmupBatches))
        {
            using (batch)
            using (NewDisposeScope())
            {
                mixture.Gate.call(batch.Images);
            }
        }

        Logger.LogInformation("joint: gate BatchNorm statistics warmed on {Batches} clean batches", Math.Min(Options.GateWarmupBatches, loader.BatchesPerEpoch));
    }

    /// <summary>How many images of a batch of <paramref name="size"/> are benign, FGSM and PGD.</summary>
    /// <param name="size">Batch size.</param>
    /// <returns>Three counts summing to <paramref name="size"/>.</returns>
    internal (int Clean, int Fgsm, int Pgd) Split(int size)
    {
        int clean = (int)Math.Round(size * Options.CleanShare);
        int fgsm = Math.Min(size - clean, (int)Math.Round(size * Options.FgsmShare));
        return (clean, fgsm, size - clean - fgsm);
    }

    private void Step(MixtureOfExperts mixture, optim.Optimizer gateOptimizer, optim.Optimizer? expertOptimizer, Batch batch, Generator generator, BatchStats stats)
    {
        var (nClean, nFgsm, nPgd) = Split(batch.Size);
        var x = batch.Images;
        var y = batch.Labels;
        var parts = new List<Tensor> { x.narrow(0, 0, nClean) };
        if (nFgsm > 0)
        {
            parts.Add(Options.FgsmAttack.Perturb(mixture, x.narrow(0, nClean, nFgsm), y.narrow(0, nClean, nFgsm), generator));
        }

        if (nPgd > 0)
        {
            parts.Add(Options.PgdAttack.Perturb(mixture, x.narrow(0, nClean + nFgsm, nPgd), y.narrow(0, nClean + nFgsm, nPgd), generator));
        }

        var inputs = cat(parts.ToArray());
        gateOptimizer.zero_grad();
        expertOptimizer?.zero_grad();
        var output = mixture.ForwardDetailed(inputs);
        var loss = nn.functional.cross_entropy(output.Logits, y, label_smoothing: Options.LabelSmoothing);
        if (Options.GateEntropyWeight > 0)
        {
            var w = output.GateWeights;
            var entropy = -(w * w.clamp_min(1e-12).log()).sum(1).mean();
            loss = loss - Options.GateEntropyWeight * entropy;
        }

        loss.backward();
        gateOptimizer.step();
        expertOptimizer?.step();

        stats.AddLoss(loss, batch.Size);
        stats.AddClean(output.Logits.narrow(0, 0, nClean), y.narrow(0, 0, nClean));
        stats.AddAdversarial(output.Logits.narrow(0, nClean, nFgsm + nPgd), y.narrow(0, nClean, nFgsm + nPgd));
        stats.AddGateWeights(output.GateWeights.detach().sum(new long[] { 0 }).to(ScalarType.Float64).cpu().data<double>().ToArray(), batch.Size);
    }

    /// <summary>
    /// The mixture's mixing mode and its gate's type and settings: a soft gate's temperature, a top-k gate's k and
    /// temperature (the weights are checked by the model section). A soft gate's entry is as it always was, so its
    /// checkpoints still resume; a top-k gate's gained its k, so a resume with another k is refused.
    /// </summary>
    private static string MixtureFingerprint(MixtureOfExperts mixture) =>
        $"{mixture.Mode}, gate {mixture.Gate.GetType().Name}" + mixture.Gate switch
        {
            SoftGate soft => $"(temperature={AttackFingerprint.Exact(soft.Temperature)})",
            TopKGate topK => $"(k={topK.K.ToString(System.Globalization.CultureInfo.InvariantCulture)}, temperature={AttackFingerprint.Exact(topK.Temperature)})",
            _ => "",
        };
}
