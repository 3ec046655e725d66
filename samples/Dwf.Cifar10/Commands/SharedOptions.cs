using System.CommandLine;

namespace Dwf.Cifar10.Commands;

/// <summary>The options every command takes (recursive on the root command).</summary>
public sealed class SharedOptions
{
    public Option<string> Preset { get; } = new("--preset") { Description = Presets.Help, DefaultValueFactory = _ => "cpu-small", Recursive = true };

    public Option<string?> Data { get; } = new("--data") { Description = "CIFAR-10 binary archive (cifar-10-binary.tar.gz) or extracted folder; or your own images: a folder with train/<class>/ and test/<class>/ (PNG or JPEG, read at --set ImageSize=N, default 32). Default: $DWF_CIFAR10, else data/cifar-10-binary.tar.gz", Recursive = true };

    public Option<bool> Download { get; } = new("--download") { Description = "Download the official archive (md5-checked) if it is missing", Recursive = true };

    public Option<string?> Run { get; } = new("--run") { Description = "Run folder. Default: runs/<preset>", Recursive = true };

    public Option<string> Device { get; } = new("--device") { Description = "cpu | cuda (cuda needs -p:TorchBackend=cuda and a GPU)", DefaultValueFactory = _ => "cpu", Recursive = true };

    public Option<int?> Threads { get; } = new("--threads") { Description = "CPU threads for libtorch. Default: all cores, or OMP_NUM_THREADS when set", Recursive = true };

    public Option<long?> Seed { get; } = new("--seed") { Description = "Seed of every random choice", Recursive = true };

    public Option<int?> Replicates { get; } = new("--replicates") { Description = "Train and evaluate K replicates (0…K−1), each from its own seed on the same data, in <run>/replicate-<r>; 'aggregate' combines them", Recursive = true };

    public Option<int?> Replicate { get; } = new("--replicate") { Description = "Work on replicate r only (<run>/replicate-<r>): replicates can run as separate processes on one study folder", Recursive = true };

    public Option<double?> Width { get; } = new("--width") { Description = "Expert width multiplier (paper: 1.0)", Recursive = true };

    public Option<int?> ExpertEpochs { get; } = new("--expert-epochs") { Description = "Pre-training epochs per expert (paper: 150)", Recursive = true };

    public Option<int?> JointEpochs { get; } = new("--joint-epochs") { Description = "Joint epochs (paper: 100)", Recursive = true };

    public Option<string> Plan { get; } = new("--plan")
    {
        Description = "Evaluation plan: paper (FGSM grid + PGD sweep) | aa-rapid (APGD-CE → APGD-T, 3 targets) | aa-standard (APGD-CE → APGD-T, 9 targets → FAB-T, 9 targets → Square 5,000)",
        DefaultValueFactory = _ => "paper",
        Recursive = true,
    };

    public Option<string[]> Set { get; } = new("--set") { Description = "Override any setting of config.json: --set Name=value (lists comma-separated)", Recursive = true, AllowMultipleArgumentsPerToken = false };

    public SharedOptions()
    {
        Preset.AcceptOnlyFromAmong(Presets.Names);
        Plan.AcceptOnlyFromAmong([.. EvaluationPlanNames.All]);
    }

    public IEnumerable<Option> All => [Preset, Data, Download, Run, Device, Threads, Seed, Replicates, Replicate, Width, ExpertEpochs, JointEpochs, Plan, Set];
}
