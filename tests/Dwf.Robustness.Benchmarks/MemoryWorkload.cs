using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Training;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// Memory flatness of expert training at the cpu-small configuration (width 0.25, batch 128, augmentation): process
/// RSS at every epoch end, read after a full garbage collection so that transient managed buffers (e.g. from
/// writing a checkpoint) do not hide or mimic native growth.
/// </summary>
internal static class MemoryWorkload
{
    public static void Run(string data, int epochs, int perClass, string kind)
    {
        using var full = Cifar10Reader.Load(data, Cifar10Split.Train);
        using var train = full.TakePerClass(perClass);
        var loader = new BatchLoader(train, new BatchLoaderOptions { BatchSize = 128, Seed = 1 });
        TorchSharp.torch.manual_seed(0);
        var expert = Expert.ResNet18(kind, ExpertKind.Custom, width: 0.25);
        IAttack? attack = kind switch
        {
            "clean" => null,
            "fgsm" => PaperAttacks.RandomEpsilonFgsm(),
            "pgd" => new RandomizedAttack(new[] { 2, 3, 4, 5 }.Select(k => new Pgd(8.0 / 255, Math.Max(2.0 / 255, 2.5 * 8 / 255 / k), k))),
            _ => throw new ArgumentException("kind: clean | fgsm | pgd"),
        };
        string checkpoint = Path.Combine(Path.GetTempPath(), $"dwf-memory-{Guid.NewGuid():N}.ckpt");
        var rss = new List<double>();
        var progress = new Dwf.Robustness.Testing.SyncProgress<TrainingProgress>(p =>
        {
            if (p.CompletedEpoch is not null)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                rss.Add(Measure.RssMb());
                Console.WriteLine($"{kind} epoch {p.CompletedEpoch.Epoch}/{epochs}: {p.CompletedEpoch.Seconds:F1} s, RSS after GC {rss[^1]:F0} MB");
            }
        });
        try
        {
            new ExpertTrainer(new ExpertTrainingOptions { Epochs = epochs, Attack = attack }).Fit(expert, loader, checkpoint, progress);
        }
        finally
        {
            File.Delete(checkpoint);
            expert.Module.Dispose();
        }

        Console.WriteLine($"RESULT memory-{kind} RSS epoch 2 {rss[1]:F0} MB, last {rss[^1]:F0} MB ({(rss[^1] - rss[1]) / rss[1]:+0.0%;-0.0%})");
    }
}
