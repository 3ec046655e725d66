using Dwf.Robustness.Infrastructure;
using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// The model as one <c>Perturb</c> call sees it: its first output is checked against the labels (logits [B,K] with
/// K above the largest label and at least the loss's minimum, and finite) before the attack uses it, so the checks cost no
/// forward pass of their own. Not registered as owning the model: disposing the guard leaves the model alone.
/// </summary>
internal sealed class ClassCountGuard : nn.Module<Tensor, Tensor>, IGradientSamples
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

    /// <summary>The guarded model's: the guard is transparent to expectation over transformation.</summary>
    public int GradientSamples => _model is IGradientSamples g ? g.GradientSamples : 1;

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

            // A NaN or infinite weight makes every gradient NaN, and FGSM would return the clean images, PGD its random
            // start: a silently void attack. One host sync per Perturb tells.
            using (var finite = logits.isfinite().all())
            {
                if (!finite.item<bool>())
                {
                    InputGuards.CheckFiniteParameters(_model); // names the parameter when one is the cause
                    throw new ArgumentException(
                        $"The model returned NaN or infinite logits to {_attack}, so its gradients are meaningless: check its weights and buffers (training may have diverged).", "model");
                }
            }

            _checked = true;
        }

        return logits;
    }
}
