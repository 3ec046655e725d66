using System.CommandLine;
using System.Diagnostics;
using Dwf.Robustness.Data;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Infrastructure;
using TorchSharp;

namespace Dwf.Cifar10;


/// <summary>The command line of the sample; <c>Program</c> only forwards to <see cref="RunAsync"/> (tests call it directly).</summary>
public static class Cli
{
    /// <summary>Parses <paramref name="args"/> and runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var preset = new Option<string>("--preset") { Description = Presets.Help, DefaultValueFactory = _ => "cpu-small", Recursive = true };
        preset.AcceptOnlyFromAmong(Presets.Names);
        var data = new Option<string?>("--data") { Description = "CIFAR-10 binary archive (cifar-10-binary.tar.gz) or extracted folder. Default: $DWF_CIFAR10, else data/cifar-10-binary.tar.gz", Recursive = true };
        var download = new Option<bool>("--download") { Description = "Download the official archive (md5-checked) if it is missing", Recursive = true };
        var run = new Option<string?>("--run") { Description = "Run folder. Default: runs/<preset>", Recursive = true };
        var device = new Option<string>("--device") { Description = "cpu | cuda (cuda needs -p:TorchBackend=cuda and a GPU)", DefaultValueFactory = _ => "cpu", Recursive = true };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch. Default: all cores", Recursive = true };
        var seed = new Option<long?>("--seed") { Description = "Seed of every random choice", Recursive = true };
        var width = new Option<double?>("--width") { Description = "Expert width multiplier (paper: 1.0)", Recursive = true };
        var expertEpochs = new Option<int?>("--expert-epochs") { Description = "Pre-training epochs per expert (paper: 150)", Recursive = true };
        var jointEpochs = new Option<int?>("--joint-epochs") { Description = "Joint epochs (paper: 100)", Recursive = true };
        var plan = new Option<string>("--plan")
        {
            Description = "Evaluation plan: paper (FGSM grid + PGD sweep) | aa-rapid (APGD-CE → APGD-T, 3 targets) | aa-standard (APGD-CE → APGD-T, 9 targets → Square 5,000)",
            DefaultValueFactory = _ => "paper",
            Recursive = true,
        };
        plan.AcceptOnlyFromAmong([.. EvaluationPlanNames.All]);
        var set = new Option<string[]>("--set") { Description = "Override any setting of config.json: --set Name=value (lists comma-separated)", Recursive = true, AllowMultipleArgumentsPerToken = false };

        var expert = new Option<string?>("--expert") { Description = "Train only this expert (e.g. pgd-2)" };
        var only = new Option<string?>("--only") { Description = "dwf | frozen-experts: train only this mixture" };

        var clock = new Stopwatch(); // restarted by each command; results.md and the log report its time
        string parsedPlan = "paper";
        var root = new RootCommand("Reproduces 'Divided We Fall' (arXiv 2512.20821) on CIFAR-10 with Dwf.Robustness.")
        {
            preset, data, download, run, device, threads, seed, width, expertEpochs, jointEpochs, plan, set,
        };
        var pretrainCommand = new Command("pretrain", "Phase 1: pre-train the experts (all, or --expert NAME).") { expert };
        var jointCommand = new Command("joint", "Phase 2: train gate and experts end to end (and the frozen-expert ablation).") { only };
        var evaluateCommand = new Command("evaluate", "Evaluate every trained model; write reports, results.md and accuracy.png.");
        var controlsCommand = new Command("controls", "Choose the best expert on the validation split, then train the controls: (a) the best PGD expert fine-tuned with the joint phase's batches, (b) one PGD expert with the whole pipeline's compute.");
        var reproduceCommand = new Command("reproduce", "All phases in order, skipping finished work and resuming interrupted work.");
        root.Subcommands.Add(pretrainCommand);
        root.Subcommands.Add(jointCommand);
        root.Subcommands.Add(controlsCommand);
        root.Subcommands.Add(evaluateCommand);
        root.Subcommands.Add(reproduceCommand);

        pretrainCommand.SetAction((p, ct) => Execute(p, ct, (pipe, _) => pipe.Pretrain(p.GetValue(expert))));
        jointCommand.SetAction((p, ct) => Execute(p, ct, (pipe, c) => Joint(pipe, c, p.GetValue(only))));
        controlsCommand.SetAction((p, ct) => Execute(p, ct, (pipe, _) => pipe.Controls(pipe.SelectExperts())));
        evaluateCommand.SetAction((p, ct) => Execute(p, ct, (pipe, c) => Evaluate(pipe, c)));
        reproduceCommand.SetAction((p, ct) => Execute(p, ct, (pipe, c) =>
        {
            pipe.Pretrain();
            var selection = pipe.SelectExperts();
            Joint(pipe, c, null);
            if (c.Controls)
            {
                pipe.Controls(selection);
            }

            Evaluate(pipe, c);
        }));

        // Ctrl+C: the first press asks every phase to stop after the current batch (a checkpoint is written);
        // a second press aborts at once. System.CommandLine's own handler would kill the process 2 s after the
        // first press, possibly before a long batch ends, so it is turned off.
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (!stop.IsCancellationRequested)
            {
                e.Cancel = true;
                Console.Error.WriteLine("stopping after the current batch … (Ctrl+C again to abort at once)");
                stop.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        void Joint(Pipeline pipe, RunConfig c, string? which)
        {
            if (which is not null && which != Pipeline.DwfModel && which != Pipeline.FrozenModel)
            {
                throw new ArgumentException($"--only must be {Pipeline.DwfModel} or {Pipeline.FrozenModel}; got '{which}'.");
            }

            if (which is null or Pipeline.DwfModel)
            {
                pipe.Joint(frozen: false);
            }

            if ((which is null && c.FrozenAblation) || which == Pipeline.FrozenModel)
            {
                pipe.Joint(frozen: true);
            }
        }

        void Evaluate(Pipeline pipe, RunConfig c)
        {
            var kind = EvaluationPlanNames.Parse(parsedPlan);
            var reports = pipe.Evaluate(kind);
            var folder = new RunFolder(c.RunFolder);
            var drift = new[] { Pipeline.DwfModel, Pipeline.FrozenModel }.Where(m => File.Exists(folder.MixtureDrift(m)))
                .ToDictionary(m => m, m => System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(folder.MixtureDrift(m)))!);
            var selection = File.Exists(folder.Selection) ? ExpertSelection.FromJson(File.ReadAllText(folder.Selection)) : null;
            AtomicFile.WriteAllText(folder.ResultsFor(kind), ResultsTable.Render(c, kind, reports, Machine(), clock.Elapsed, drift, selection, CostFile.Collect(c, folder)));
            var plotted = reports.Where(r => r.Model is Pipeline.DwfModel or Pipeline.FrozenModel or Pipeline.FineTunedControl or Pipeline.EqualComputeControl or "clean-1" or "fgsm-1").ToList();
            if (plotted.Count > 0 && kind == PlanKind.Paper)
            {
                ReportPlot.SavePng(plotted, folder.Plot, title: $"CIFAR-10, preset {c.Preset}: accuracy under FGSM (solid) and PGD (dashed)");
            }

            Console.WriteLine($"results: {folder.ResultsFor(kind)}");
        }

        string Machine() =>
            $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
            $".NET {Environment.Version}, TorchSharp {typeof(torch).Assembly.GetName().Version}, {torch.get_num_threads()} libtorch threads, device {torch.cuda.is_available() switch { true => "CUDA available", false => "CPU only" }}";

        async Task<int> Execute(ParseResult p, CancellationToken ct, Action<Pipeline, RunConfig> body)
        {
            clock.Restart();
            parsedPlan = p.GetValue(plan)!;
            try
            {
                string presetName = p.GetValue(preset)!;
                string dataPath = p.GetValue(data) ?? Environment.GetEnvironmentVariable("DWF_CIFAR10") ?? Path.Combine("data", Cifar10Format.ArchiveFileName);
                var config = Presets.Create(presetName, Path.GetFullPath(dataPath), Path.GetFullPath(p.GetValue(run) ?? Path.Combine("runs", presetName)));
                config = config with
                {
                    Device = p.GetValue(device)!,
                    Seed = p.GetValue(seed) ?? config.Seed,
                    ExpertWidth = p.GetValue(width) ?? config.ExpertWidth,
                    ExpertEpochs = p.GetValue(expertEpochs) ?? config.ExpertEpochs,
                    JointEpochs = p.GetValue(jointEpochs) ?? config.JointEpochs,
                };
                config = ConfigOverrides.Apply(config, p.GetValue(set) ?? []);
                config.Validate();

                if (!File.Exists(config.Data) && !Directory.Exists(config.Data))
                {
                    if (!p.GetValue(download))
                    {
                        throw new FileNotFoundException($"CIFAR-10 not found at '{config.Data}'. Pass --data PATH, set DWF_CIFAR10, or add --download.");
                    }

                    Console.WriteLine($"downloading CIFAR-10 to {config.Data} …");
                    await Cifar10Downloader.EnsureArchiveAsync(config.Data, cancellationToken: ct);
                }

                var torchDevice = config.Device switch
                {
                    "cpu" => torch.CPU,
                    "cuda" when torch.cuda.is_available() => torch.CUDA,
                    "cuda" => throw new ArgumentException("--device cuda: no CUDA device is available. Build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU."),
                    _ => throw new ArgumentException($"--device must be cpu or cuda; got '{config.Device}'."),
                };
                torch.set_num_threads(p.GetValue(threads) ?? Environment.ProcessorCount);
                // Activation buffers reused instead of re-faulted every step (faster, more resident memory: docs/reliability.md);
                // DWF_ALLOCATOR=default keeps glibc's defaults.
                bool allocatorTuned = Environment.GetEnvironmentVariable("DWF_ALLOCATOR") != "default" && CpuAllocator.Tune();

                var folder = new RunFolder(config.RunFolder);
                folder.SaveOrCheck(config);
                var log = new FileLogger(folder.Log);
                log.Info($"command: {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}; machine: {Machine()}; " +
                         $"CPU allocator: {(allocatorTuned ? "tuned (CpuAllocator.Tune)" : "platform default")}");
                Console.WriteLine($"preset {config.Preset}, run folder {folder.Root}, data {config.Data}");
                var deviations = Presets.DeviationsFromPaper(config);
                if (deviations.Count > 0)
                {
                    Console.WriteLine("deviations from the paper's set-up:");
                    foreach (var d in deviations)
                    {
                        Console.WriteLine($"  - {d}");
                    }
                }

                using var pipeline = new Pipeline(config, folder, torchDevice, log, ct);
                body(pipeline, config);
                log.Info($"finished in {clock.Elapsed.TotalMinutes:F1} min");
                return 0;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("stopped: a checkpoint was saved after the last finished batch; run the same command again to resume.");
                return 130;
            }
            catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or InvalidOperationException or IOException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        }
    }
}
