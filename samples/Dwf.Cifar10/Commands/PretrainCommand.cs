using System.CommandLine;

namespace Dwf.Cifar10.Commands;

/// <summary><c>pretrain</c>: phase 1, every expert or one (<c>--expert NAME</c>); several processes may share a run folder.</summary>
public static class PretrainCommand
{
    public static Command Create(SharedOptions o)
    {
        var expert = new Option<string?>("--expert") { Description = "Train only this expert (e.g. pgd-2)" };
        var command = new Command("pretrain", "Phase 1: pre-train the experts (all, or --expert NAME). Several processes may work on one run folder (docs/scale-out.md).") { expert };
        command.SetAction((p, ct) => RunContext.Execute(p, o, ct, c => c.Pipeline.Pretrain(p.GetValue(expert))));
        return command;
    }
}
