using System.CommandLine;

namespace Dwf.Cifar10.Commands;

/// <summary><c>reproduce</c>: every phase in order, skipping finished work and resuming interrupted work.</summary>
public static class ReproduceCommand
{
    public static Command Create(SharedOptions o)
    {
        var command = new Command("reproduce", "All phases in order (pretrain, selection, joint, controls, evaluate), skipping finished work and resuming interrupted work.");
        command.SetAction((p, ct) => RunContext.Execute(p, o, ct, c =>
        {
            c.Pipeline.Pretrain();
            var selection = c.Pipeline.SelectExperts();
            JointCommand.Run(c, null);
            if (c.Config.Controls)
            {
                c.Pipeline.Controls(selection);
            }

            EvaluateCommand.Run(c);
        }));
        return command;
    }
}
