using Dwf.Robustness.Infrastructure;
using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// The model as one <c>Perturb</c> call sees it: its first output is checked against the labels (logits [B,K] with
/// K above the largest label and at least the loss's minimum) before the attack uses it, so the label check costs no
/// forward pass of its own. Not registered as owning the model: disposing the guard leaves the model alone.
/// </summary>
internal sealed class ClassCountGuard : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly long _largestLabel;
    private readonly int _minimumClasses;
    private readonly string _attack;
    private bool _checked;

    public ClassCountGuard(nn.Module<Tensor, Tensor> model, long largestLabel, int minimumClasses, string attack)
        : base(nameof(ClassCountGuard))
    {
        _model = model;
        _largestLabel = largestLabel;
        _minimumClasses = minimumClasses;
        _attack = attack;
    }

    public override Tensor forward(Tensor input)
    {
        var logits = _model.call(input);
        if (!_checked)
        {
            InputGuards.CheckLabelRange(_largestLabel, input.shape[0], logits);
            if (logits.shape[1] < _minimumClasses)
            {
                throw new ArgumentException($"{_attack} needs a model with at least {_minimumClasses} classes; this one has {logits.shape[1]}.", "model");
            }

            _checked = true;
        }

        return logits;
    }
}
