using System.Diagnostics;
using Dwf.Robustness.Data;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Training;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// The library's side of python/calibrate_clean_expert.py (issue #19): a clean width-0.25 ResNet-18 expert trained
/// with ExpertTrainer on the first 1,000 training images per class for 10 epochs (batch 128, crop + flip), clean
/// accuracy on the first 1,000 test images. calibrate &lt;seed&gt; [cosine|constant|onecycle] [warmupEpochs] [nesterov] [decayNormAndBias] [epochs].
/// </summary>
internal static class CalibrationWorkload
{
    public static void Run(string[] args, string archive)
    {
        long seed = long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var schedule = args.Length > 2 ? Enum.Parse<LearningRateSchedule>(args[2], ignoreCase: true) : LearningRateSchedule.Cosine;
        double warmup = args.Length > 3 ? double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 0;
        bool nesterov = args.Length > 4 && bool.Parse(args[4]);
        bool decayAll = args.Length <= 5 || bool.Parse(args[5]);
        int epochs = args.Length > 6 ? int.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture) : 10;

        using var data = Cifar10Reader.LoadTrainAndTest(archive);
        using var train = data.Train.TakePerClass(1000);
        using var test = data.Test.Take(1000);
        manual_seed(seed);
        var expert = Expert.ResNet18("clean", ExpertKind.Clean, 10, 0.25);
        var loader = new BatchLoader(train, new BatchLoaderOptions { BatchSize = 128, Seed = seed });
        var options = new ExpertTrainingOptions
        {
            Epochs = epochs,
            Seed = seed,
            Optimizer = new OptimizerOptions { Schedule = schedule, WarmupEpochs = warmup, Nesterov = nesterov, DecayNormAndBias = decayAll },
        };
        var clock = Stopwatch.StartNew();
        var result = new ExpertTrainer(options).Fit(expert, loader);
        expert.Module.eval();
        long correct = 0;
        var eval = new BatchLoader(test, new BatchLoaderOptions { BatchSize = 250, Shuffle = false, Augment = false });
        using (no_grad())
        {
            foreach (var batch in eval.Epoch(0))
            {
                using (batch)
                using (NewDisposeScope())
                {
                    correct += expert.Module.call(batch.Images).argmax(1).eq(batch.Labels).sum().item<long>();
                }
            }
        }

        Console.WriteLine($"calibrate seed {seed}, {options.Optimizer}, {epochs} epochs ({result.History.Sum(h => h.Batches)} steps): " +
                          $"clean accuracy on the first 1000 test images {correct / 1000.0:F4} ({correct}/1000); final loss {result.History[^1].Loss:F4}; " +
                          $"{clock.Elapsed.TotalSeconds:F0} s, {get_num_threads()} threads");
    }
}
