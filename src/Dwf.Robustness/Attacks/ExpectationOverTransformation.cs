using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// Expectation over transformation (Athalye, Carlini and Wagner, 2018) for a randomized model: pass this wrapper to
/// any attack of the library instead of the model, and every input gradient the attack takes becomes the mean over
/// <see cref="Samples"/> forward/backward passes (the objective too), as AutoAttack's randomized version does with
/// 20. Predictions through the wrapper are one pass of the model, as before. The wrapper does not own the model:
/// disposing it leaves the model alone; its mode, parameters and device are the model's.
/// </summary>
public sealed class ExpectationOverTransformation : nn.Module<Tensor, Tensor>, IGradientSamples
{
    /// <summary>Wraps <paramref name="model"/>.</summary>
    /// <param name="model">The randomized model.</param>
    /// <param name="samples">Passes averaged per gradient (≥ 1; AutoAttack's randomized version: 20).</param>
    public ExpectationOverTransformation(nn.Module<Tensor, Tensor> model, int samples = Defaults.AutoAttackDefaults.ExpectationSamples)
        : base(nameof(ExpectationOverTransformation))
    {
        ArgumentNullException.ThrowIfNull(model);
        if (samples < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(samples), samples, "Expectation over transformation needs at least 1 pass per gradient (AutoAttack's randomized version uses 20).");
        }

        Model = model;
        Samples = samples;
        base.train(model.training);
    }

    /// <summary>The wrapped model.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>Forward/backward passes averaged per gradient.</summary>
    public int Samples { get; }

    int IGradientSamples.GradientSamples => Samples;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Model.call(input);

    /// <summary>Sets the wrapped model's mode (and the wrapper's).</summary>
    /// <param name="on">Training mode when true.</param>
    public override void train(bool on = true)
    {
        Model.train(on);
        base.train(on);
    }

    /// <summary>The wrapped model's parameters.</summary>
    /// <param name="recurse">Include submodules' parameters.</param>
    public override IEnumerable<Parameter> parameters(bool recurse = true) => Model.parameters(recurse);

    /// <summary>The wrapped model's named parameters.</summary>
    /// <param name="recurse">Include submodules' parameters.</param>
    public override IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true) => Model.named_parameters(recurse);
}
