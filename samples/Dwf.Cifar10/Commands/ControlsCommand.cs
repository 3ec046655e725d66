using System.CommandLine;

namespace Dwf.Cifar10.Commands;

/// <summary><c>controls</c>: the best expert chosen on the validation split, then the two controls.</summary>
public static class ControlsCommand
{
    public static Command Create(SharedOptions o)
    {
        var command = new Command("controls",
            "Choose the best expert on the validation split, then train the controls: (a) the best PGD expert fine-tuned with the joint phase's batches, (b) one PGD expert with the whole pipeline's compute.");
        command.SetAction((p, ct) => RunContext.Execute(p, o, ct, c => c.Pipeline.Controls(c.Pipeline.SelectExperts())));
        return command;
    }
}
