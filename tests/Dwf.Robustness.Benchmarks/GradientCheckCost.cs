using System.Globalization;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Numerics;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// What <see cref="InputGradientCheck"/> costs (the once-per-model guard of the evaluator and the trainers): one
/// width-0.25 ResNet-18 and a nine-expert DWF mixture of them, 16 CIFAR-sized images, three runs each (the first
/// includes oneDNN's kernel creation).
/// </summary>
internal static class GradientCheckCost
{
    public static void Run()
    {
        manual_seed(0);
        using var expert = new ResNet18(10, 0.25);
        using var mixture = new MixtureOfExperts(Enumerable.Range(0, 9).Select(i => (IExpert)new Expert(new ResNet18(10, 0.25), $"e{i}", 10)), new SoftGate(9));
        using var images = rand(16, 3, 32, 32);
        using var labels = randint(10, new long[] { 16 });
        foreach (var (name, model) in new (string, nn.Module<Tensor, Tensor>)[] { ("ResNet-18 w0.25", expert), ("9 × ResNet-18 w0.25 mixture", mixture) })
        {
            var seconds = Enumerable.Range(0, 3).Select(_ => InputGradientCheck.Run(model, images, labels).Elapsed.TotalSeconds).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {string.Join(" / ", seconds.Select(s => s.ToString("0.000", CultureInfo.InvariantCulture)))} s"));
        }
    }
}
