using System.CommandLine;
using Dwf.Cifar10.Commands;

namespace Dwf.Cifar10;

/// <summary>The command line of the sample; <c>Program</c> only forwards to <see cref="RunAsync"/> (tests call it directly). One class per command, in Commands/.</summary>
public static class Cli
{
    /// <summary>Parses <paramref name="args"/> and runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new SharedOptions();
        var root = new RootCommand("Reproduces 'Divided We Fall' (arXiv 2512.20821) on CIFAR-10 with Dwf.Robustness.");
        foreach (var option in options.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(PretrainCommand.Create(options));
        root.Subcommands.Add(JointCommand.Create(options));
        root.Subcommands.Add(ControlsCommand.Create(options));
        root.Subcommands.Add(EvaluateCommand.Create(options));
        root.Subcommands.Add(ReproduceCommand.Create(options));
        root.Subcommands.Add(CompareCommand.Create(options));
        root.Subcommands.Add(AggregateCommand.Create());
        root.Subcommands.Add(CompareRunsCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());

        // Ctrl+C: the first press asks every phase to stop after the current batch (a checkpoint or state file is
        // written); a second press aborts at once. System.CommandLine's own handler would kill the process 2 s after
        // the first press, possibly before a long batch ends, so it is turned off.
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
    }
}
