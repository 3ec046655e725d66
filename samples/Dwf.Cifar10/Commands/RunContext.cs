using System.CommandLine;
using System.Diagnostics;
using Dwf.Robustness.Data;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Infrastructure;
using TorchSharp;

namespace Dwf.Cifar10.Commands;

/// <summary>
/// What every command works on: the resolved configuration (preset, flags, <c>--set</c>; validated before anything
/// is written), the run folder, its log and the pipeline. <see cref="Execute"/> builds it, runs a command's body and
/// turns failures into exit codes with the messages a user needs.
/// </summary>
public sealed class RunContext
{
    private RunContext(RunConfig config, RunFolder folder, Pipeline pipeline, PlanKind plan, Stopwatch clock)
    {
        Config = config;
        Folder = folder;
        Pipeline = pipeline;
        Plan = plan;
        Clock = clock;
    }

    public RunConfig Config { get; }

    public RunFolder Folder { get; }

    public Pipeline Pipeline { get; }

    public PlanKind Plan { get; }

    /// <summary>Started when the command started; results.md and the log report it.</summary>
    public Stopwatch Clock { get; }

    /// <summary>The machine, for results.md and the log.</summary>
    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
        $".NET {Environment.Version}, TorchSharp {typeof(torch).Assembly.GetName().Version}, {torch.get_num_threads()} libtorch threads, device {torch.cuda.is_available() switch { true => "CUDA available", false => "CPU only" }}";

    /// <summary>Resolves the configuration from <paramref name="p"/>, runs <paramref name="body"/>, and returns the exit code.</summary>
    public static async Task<int> Execute(ParseResult p, SharedOptions o, CancellationToken ct, Action<RunContext> body)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            string presetName = p.GetValue(o.Preset)!;
            string dataPath = p.GetValue(o.Data) ?? Environment.GetEnvironmentVariable("DWF_CIFAR10") ?? Path.Combine("data", Cifar10Format.ArchiveFileName);
            var config = Presets.Create(presetName, Path.GetFullPath(dataPath), Path.GetFullPath(p.GetValue(o.Run) ?? Path.Combine("runs", presetName)));
            config = config with
            {
                Device = p.GetValue(o.Device)!,
                Seed = p.GetValue(o.Seed) ?? config.Seed,
                ExpertWidth = p.GetValue(o.Width) ?? config.ExpertWidth,
                ExpertEpochs = p.GetValue(o.ExpertEpochs) ?? config.ExpertEpochs,
                Joint = config.Joint with { Epochs = p.GetValue(o.JointEpochs) ?? config.Joint.Epochs },
            };
            config = ConfigOverrides.Apply(config, p.GetValue(o.Set) ?? []);
            config.Validate();
            int? threads = p.GetValue(o.Threads);
            if (threads is < 1)
            {
                throw new ArgumentException($"--threads must be ≥ 1 (libtorch's CPU threads); got {threads}. Leave it out for libtorch's default.");
            }

            var plan = EvaluationPlanNames.Parse(p.GetValue(o.Plan)!);
            var runs = Replicates.Expand(config, p.GetValue(o.Replicate), p.GetValue(o.Replicates));

            if (!File.Exists(config.Data) && !Directory.Exists(config.Data))
            {
                if (!p.GetValue(o.Download))
                {
                    throw new FileNotFoundException(
                        $"No data at '{config.Data}'. Pass --data PATH (the CIFAR-10 archive or its extracted folder, or a folder of your own images with train/ and test/ class sub-folders), set DWF_CIFAR10, or add --download for CIFAR-10.");
                }

                Console.WriteLine($"downloading CIFAR-10 to {config.Data} …");
                await Cifar10Downloader.EnsureArchiveAsync(config.Data, cancellationToken: ct);
            }

            var device = config.Device switch
            {
                "cpu" => torch.CPU,
                "cuda" when torch.cuda.is_available() => torch.CUDA,
                "cuda" => throw new ArgumentException("--device cuda: no CUDA device is available. Build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU."),
                _ => throw new ArgumentException($"--device must be cpu or cuda; got '{config.Device}'."),
            };
            if (threads is { } count)
            {
                torch.set_num_threads(count); // else libtorch's default: every core, or OMP_NUM_THREADS (the test runs set 1: tests/test.runsettings)
            }

            // Activation buffers reused instead of re-faulted every step (faster, more resident memory: docs/reliability.md);
            // DWF_ALLOCATOR=default keeps glibc's defaults.
            bool allocatorTuned = Environment.GetEnvironmentVariable("DWF_ALLOCATOR") != "default" && CpuAllocator.Tune();
            foreach (var run in runs)
            {
                ct.ThrowIfCancellationRequested();
                RunOne(run, device, allocatorTuned, plan, clock, ct, body);
            }

            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("stopped: the work up to the last finished batch is saved (a training checkpoint, or the evaluation's state file); run the same command again to resume.");
            return 130;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or InvalidOperationException or IOException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>One run (or replicate): its folder, configuration check, log, pipeline and the command's body.</summary>
    private static void RunOne(RunConfig config, torch.Device device, bool allocatorTuned, PlanKind plan, Stopwatch clock, CancellationToken ct, Action<RunContext> body)
    {
        var started = clock.Elapsed;
        var folder = new RunFolder(config.RunFolder);
        folder.SaveOrCheck(config);
        var log = new FileLogger(folder.Log);
        log.Info($"command: {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}; machine: {Machine()}; data: {config.Data}; device: {config.Device}; " +
                 $"CPU allocator: {(allocatorTuned ? "tuned (CpuAllocator.Tune)" : "platform default")}" +
                 (config.Replicate is { } r ? $"; replicate {r}, seed {config.Seed}" : ""));
        Console.WriteLine($"preset {config.Preset}, run folder {folder.Root}, data {config.Data}{(config.Replicate is { } i ? $", replicate {i} (seed {config.Seed})" : "")}");
        var deviations = Presets.DeviationsFromPaper(config);
        if (deviations.Count > 0)
        {
            Console.WriteLine("deviations from the paper's set-up:");
            foreach (var d in deviations)
            {
                Console.WriteLine($"  - {d}");
            }
        }

        using var pipeline = new Pipeline(config, folder, device, log, ct);
        // An AutoAttack plan this data cannot take (fewer than 4 classes) is refused here, before anything is trained.
        foreach (var asked in new[] { plan, config.Eval.RapidOnSurvivors ? PlanKind.AutoAttackRapid : PlanKind.Paper }.Where(k => k != PlanKind.Paper))
        {
            pipeline.EvaluationOptionsFor(asked);
        }

        body(new RunContext(config, folder, pipeline, plan, clock));
        log.Info($"finished in {(clock.Elapsed - started).TotalMinutes:F1} min");
    }
}
