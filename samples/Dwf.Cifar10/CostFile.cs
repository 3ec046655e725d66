using System.Text.Json;
using Dwf.Robustness.Infrastructure;

namespace Dwf.Cifar10;

/// <summary>The training cost of a saved model, kept beside its weights as <c>&lt;weights&gt;.cost.json</c>.</summary>
public static class CostFile
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The cost file of <paramref name="weights"/>.</summary>
    public static string PathFor(string weights) => weights + ".cost.json";

    /// <summary>Writes <paramref name="cost"/> beside <paramref name="weights"/> (atomically).</summary>
    public static void Write(string weights, TrainingCost cost) => AtomicFile.WriteAllText(PathFor(weights), JsonSerializer.Serialize(cost, Json));

    /// <summary>
    /// Every trained model's cost, by model name: each expert's own; a mixture's joint phase plus all its experts'
    /// pre-training; each control's own (the fine-tuned control's includes its starting expert's pre-training); each baseline's own.
    /// </summary>
    public static Dictionary<string, TrainingCost> Collect(RunConfig config, RunFolder folder)
    {
        var costs = new Dictionary<string, TrainingCost>();
        var experts = ExpertPlan.For(config).Select(s => (s.Name, Cost: Read(folder.ExpertWeights(s.Name)))).ToList();
        foreach (var (name, cost) in experts.Where(e => e.Cost is not null))
        {
            costs[name] = cost!;
        }

        if (experts.All(e => e.Cost is not null))
        {
            var pretraining = new TrainingCost(experts.Sum(e => e.Cost!.Passes), experts.Sum(e => e.Cost!.Seconds));
            foreach (var mixture in new[] { Pipeline.DwfModel, Pipeline.FrozenModel })
            {
                if (Read(folder.MixtureWeights(mixture)) is { } joint)
                {
                    costs[mixture] = new TrainingCost(pretraining.Passes + joint.Passes, pretraining.Seconds + joint.Seconds);
                }
            }
        }

        foreach (var control in Pipeline.ControlNames)
        {
            if (Read(folder.ControlWeights(control)) is { } cost)
            {
                costs[control] = cost;
            }
        }

        foreach (var recipe in Compare.DefenseRecipes.All.Where(r => !costs.ContainsKey(r.Name)))
        {
            if (Read(recipe.Weights(folder)) is { } cost)
            {
                costs[recipe.Name] = cost;
            }
        }

        return costs;
    }

    /// <summary>The cost saved beside <paramref name="weights"/>, or null when there is none.</summary>
    public static TrainingCost? Read(string weights) =>
        File.Exists(PathFor(weights)) ? JsonSerializer.Deserialize<TrainingCost>(File.ReadAllText(PathFor(weights))) : null;
}
