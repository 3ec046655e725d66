using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Training;

/// <summary>Builds the SGD optimizer described by <see cref="OptimizerOptions"/>.</summary>
internal static class Sgd
{
    /// <summary>One parameter group, or with <see cref="OptimizerOptions.DecayNormAndBias"/> false two: the
    /// multi-dimensional weights with decay, the one-dimensional parameters (norms, biases) without.</summary>
    public static OptimizerHelper Create(IEnumerable<Parameter> parameters, OptimizerOptions options)
    {
        if (options.DecayNormAndBias)
        {
            return optim.SGD(parameters, options.LearningRate, options.Momentum, dampening: 0, weight_decay: options.WeightDecay, nesterov: options.Nesterov);
        }

        return CreateGrouped([parameters], options).Optimizer;
    }

    /// <summary>
    /// Parameter groups per block (one per block, two with <see cref="OptimizerOptions.DecayNormAndBias"/> false);
    /// returns which block every group belongs to, so that a rate can be set per block.
    /// </summary>
    public static (OptimizerHelper Optimizer, int[] BlockOfGroup) CreateGrouped(IEnumerable<IEnumerable<Parameter>> blocks, OptimizerOptions options)
    {
        var groups = new List<SGD.ParamGroup>();
        var owner = new List<int>();
        int b = 0;
        foreach (var block in blocks)
        {
            var all = block.ToList();
            var parts = options.DecayNormAndBias
                ? [(all, options.WeightDecay)]
                : new List<(List<Parameter>, double)> { (all.Where(p => p.dim() > 1).ToList(), options.WeightDecay), (all.Where(p => p.dim() <= 1).ToList(), 0.0) };
            foreach (var (parameters, decay) in parts.Where(p => p.Item1.Count > 0))
            {
                groups.Add(new SGD.ParamGroup(parameters, options.LearningRate, options.Momentum, 0, decay, options.Nesterov));
                owner.Add(b);
            }

            b++;
        }

        return (new SGD(groups, options.LearningRate, options.Momentum, 0, options.WeightDecay, options.Nesterov), owner.ToArray());
    }
}
