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
            if (logits.dim() != 2 || logits.shape[0] != input.shape[0])
            {
                throw new ArgumentException(
                    $"The model must return logits [B,K] with B = {input.shape[0]}; it returned shape {InputGuards.Shape(logits.shape)}.", "model");
            }

            if (_largestLabel >= logits.shape[1])
            {
                throw new ArgumentException(
                    $"labels contain class {_largestLabel} but the model has {logits.shape[1]} outputs (classes 0–{logits.shape[1] - 1}).", "labels");
            }

            if (logits.shape[1] < _minimumClasses)
            {
                throw new ArgumentException($"{_attack} needs a model with at least {_minimumClasses} classes; this one has {logits.shape[1]}.", "model");
            }

            _checked = true;
        }

        return logits;
    }
}
