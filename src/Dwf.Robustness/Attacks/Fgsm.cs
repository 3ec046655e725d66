using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// Fast Gradient Sign Method (Goodfellow et al., 2015): one step of size ε along the sign of the input gradient,
/// then clipped to [0,1]. For FGSM with a random start ("fast adversarial training") use
/// <see cref="Pgd.FastFgsm"/>.
/// </summary>
public sealed class Fgsm : AttackBase
{
    /// <summary>Creates an FGSM attack.</summary>
    /// <param name="epsilon">L∞ budget in [0,1] pixel units (the paper's expert training uses 0.01–0.09).</param>
    /// <param name="loss">Objective; cross-entropy by default.</param>
    /// <param name="targeted">Whether labels are target classes.</param>
    public Fgsm(double epsilon, AttackLoss loss = AttackLoss.CrossEntropy, bool targeted = false)
        : base(epsilon, loss, targeted)
    {
    }

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new(AttackFamily.Fgsm, ThreatModel.Linf, Epsilon, 1, 1, Loss, Targeted);

    /// <inheritdoc />
    public override string Name =>
        $"FGSM(ε={Format(Epsilon)}{(Loss == AttackLoss.CarliniWagnerMargin ? ", CW" : "")}{(Targeted ? ", targeted" : "")})";

    /// <inheritdoc />
    protected override Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator)
    {
        if (Epsilon == 0)
        {
            return images.clone();
        }

        var direction = AscentDirection(model, images, labels);
        return Project(images + Epsilon * direction.sign(), images);
    }
}
