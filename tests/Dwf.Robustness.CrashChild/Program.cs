// Child process of the kill -9 suite. Usage: Dwf.Robustness.CrashChild MODE PATH
// model:        saves a width-0.25 ResNet-18 to PATH with ModelFile.Save in a loop, changing its weights each time.
// checkpoint:   trains a width-0.125 ResNet-18 expert with checkpoints at PATH, one tiny epoch after another.
// expert-train: trains a width-0.125 ResNet-18 FGSM expert (randomized ε, crop + flip, shuffle) for a fixed number
//               of epochs with checkpoints at PATH, resuming what is there; then saves the weights to PATH.final.
// joint-train:  the same for a two-expert mixture trained jointly (randomized FGSM and PGD, gate and experts).
// (Width 0.125 with 8-channel layers: before issue 30's fix, libtorch 2.10's oneDNN kernels corrupted the heap on such
// channel counts on AVX-512 hosts (and crashed a 4-channel ResNet-18 on AVX2 hosts); the library's convolutions now pad
// channels to multiples of 16, so this child also guards that fix: it aborted with "double free or corruption" before.)
// Prints "ready" once the first file is complete ("done" when a fixed-length run has finished), and runs until it is
// killed or finished.
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Training;
using TorchSharp;
using Dwf.Robustness.Persistence;
using static TorchSharp.torch;

if (args.Length != 2 || args[0] is not ("model" or "checkpoint" or "expert-train" or "joint-train"))
{
    Console.Error.WriteLine("usage: Dwf.Robustness.CrashChild model|checkpoint|expert-train|joint-train PATH");
    return 2;
}

torch.set_num_threads(1);
string mode = args[0], path = args[1];
if (mode == "model")
{
    var expert = Expert.ResNet18("child", ExpertKind.Clean, width: 0.25);
    for (long i = 0; ; i++)
    {
        using (no_grad())
        {
            foreach (var p in expert.Module.parameters())
            {
                p.add_(1e-3);
            }
        }

        ModelFile.Save(expert.Module, path);
        if (i == 0)
        {
            Console.WriteLine("ready");
        }
    }
}

manual_seed(1);
using var images = randint(0, 256, [64, 3, 32, 32], dtype: ScalarType.Byte);
using var labels = arange(64, dtype: ScalarType.Int64) % 10;
using var data = new ImageDataset(images.clone(), labels.clone(), Enumerable.Range(0, 10).Select(c => $"c{c}").ToArray());
var progress = new ReadyOnFirstEpoch();
if (mode == "checkpoint")
{
    var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 64, Augment = false, Seed = 1 });
    var trained = Expert.ResNet18("child", ExpertKind.Clean, width: 0.125);
    new ExpertTrainer(new ExpertTrainingOptions { Epochs = 1_000_000 }).Fit(trained, loader, path, progress);
    return 0;
}

// The fixed-length runs: every source of randomness (initialization, shuffle, crops, flips, the attacks' draws,
// the joint batch split) is in play, so a resume that restores any of them wrongly changes the final weights.
var augmented = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 16, Augment = true, Shuffle = true, Seed = 3 });
manual_seed(7);
if (mode == "expert-train")
{
    var expert = Expert.ResNet18("child", ExpertKind.Fgsm, width: 0.125);
    var options = new ExpertTrainingOptions { Epochs = 6, Attack = PaperAttacks.RandomEpsilonFgsm([0.01, 0.03, 0.05]), Seed = 9 };
    new ExpertTrainer(options).Fit(expert, augmented, path, progress);
    ModelFile.Save(expert.Module, path + ".final");
}
else
{
    IExpert[] experts =
    [
        Expert.ResNet18("clean", ExpertKind.Clean, width: 0.125),
        Expert.ResNet18("pgd", ExpertKind.Pgd, width: 0.125),
    ];
    var mixture = new MixtureOfExperts(experts, new SoftGate(experts.Length, width: 4));
    var options = new JointTrainingOptions
    {
        Epochs = 4,
        FgsmAttack = PaperAttacks.RandomEpsilonFgsm([0.01, 0.03]),
        PgdAttack = PaperAttacks.RandomStepsPgd([1, 2], 0.03, 0.01),
        Seed = 9,
    };
    new JointTrainer(options).Fit(mixture, augmented, path, progress);
    ModelFile.Save(mixture, path + ".final");
}

Console.WriteLine("done");
return 0;

/// <summary>Says "ready" after the first epoch (and so the first checkpoint).</summary>
internal sealed class ReadyOnFirstEpoch : IProgress<TrainingProgress>
{
    private bool _said;

    public void Report(TrainingProgress value)
    {
        if (!_said && value.Epoch >= 2) // 1-based: the second epoch has started, so the first checkpoint exists
        {
            _said = true;
            Console.WriteLine("ready");
        }
    }
}
