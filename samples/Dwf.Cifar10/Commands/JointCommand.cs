using System.CommandLine;

namespace Dwf.Cifar10.Commands;

/// <summary><c>joint</c>: phase 2, DWF and (unless turned off) the frozen-expert ablation.</summary>
public static class JointCommand
{
    public static Command Create(SharedOptions o)
    {
        var only = new Option<string?>("--only") { Description = $"{Pipeline.DwfModel} | {Pipeline.FrozenModel}: train only this mixture" };
        var command = new Command("joint", "Phase 2: train gate and experts end to end (and the frozen-expert ablation).") { only };
        command.SetAction((p, ct) => RunContext.Execute(p, o, ct, c => Run(c, p.GetValue(only))));
        return command;
    }

    /// <summary>Trains the mixtures <paramref name="which"/> names (both when null).</summary>
    public static void Run(RunContext c, string? which)
    {
        if (which is not null && which != Pipeline.DwfModel && which != Pipeline.FrozenModel)
        {
            throw new ArgumentException($"--only must be {Pipeline.DwfModel} or {Pipeline.FrozenModel}; got '{which}'.");
        }

        if (which is null or Pipeline.DwfModel)
        {
            c.Pipeline.Joint(frozen: false);
        }

        if ((which is null && c.Config.Joint.FrozenAblation) || which == Pipeline.FrozenModel)
        {
            c.Pipeline.Joint(frozen: true);
        }
    }
}
