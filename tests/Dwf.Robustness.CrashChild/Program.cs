// Child process of the kill -9 suite. Usage: Dwf.Robustness.CrashChild model|checkpoint PATH
// model:      saves a width-0.25 ResNet-18 to PATH with ModelFile.Save in a loop, changing its weights each time.
// checkpoint: trains a width-0.0625 ResNet-18 expert with checkpoints at PATH, one tiny epoch after another.
// Prints "ready" once the first file is complete, then runs until it is killed.
using Dwf.Robustness.Data;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Training;
using TorchSharp;
using static TorchSharp.torch;

if (args.Length != 2 || args[0] is not ("model" or "checkpoint"))
{
    Console.Error.WriteLine("usage: Dwf.Robustness.CrashChild model|checkpoint PATH");
    return 2;
}

torch.set_num_threads(1);
string path = args[1];
if (args[0] == "model")
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
using var data = new Cifar10Dataset(images.clone(), labels.clone(), Enumerable.Range(0, 10).Select(c => $"c{c}").ToArray());
var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 64, Augment = false, Seed = 1 });
var trained = Expert.ResNet18("child", ExpertKind.Clean, width: 0.0625);
var progress = new ReadyOnFirstEpoch();
new ExpertTrainer(new ExpertTrainingOptions { Epochs = 1_000_000 }).Fit(trained, loader, path, progress);
return 0;

/// <summary>Says "ready" after the first epoch (and so the first checkpoint).</summary>
internal sealed class ReadyOnFirstEpoch : IProgress<TrainingProgress>
{
    private bool _said;

    public void Report(TrainingProgress value)
    {
        if (!_said && value.Epoch >= 1)
        {
            _said = true;
            Console.WriteLine("ready");
        }
    }
}
