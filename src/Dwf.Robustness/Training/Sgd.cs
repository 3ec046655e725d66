using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Training;

/// <summary>Builds the SGD optimizer described by <see cref="OptimizerOptions"/>.</summary>
internal static class Sgd
{
    public static OptimizerHelper Create(IEnumerable<Parameter> parameters, OptimizerOptions options) =>
        optim.SGD(parameters, options.LearningRate, options.Momentum, dampening: 0, weight_decay: options.WeightDecay, nesterov: options.Nesterov);
}
