using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Numerics;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// Builds convolutions outside any dispose scope while another thread runs the garbage collector and its finalizers
/// without pause: a temporary tensor whose wrapper the collector finalizes during a native call (a use after free) crashes
/// the process. finalizer-race [builds] [conv|resnet|mixture].
/// </summary>
internal static class FinalizerRaceProbe
{
    public static void Run(int builds, string what)
    {
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        for (int i = 0; i < builds; i++)
        {
            using nn.Module<Tensor, Tensor> module = what switch
            {
                "resnet" => new ResNet18(10, 0.125),
                "mixture" => new MixtureOfExperts([Expert.ResNet18("a", ExpertKind.Clean, width: 0.125), Expert.ResNet18("b", ExpertKind.Pgd, width: 0.125)]),
                _ => new ChannelsLastConv2d(16, 16, 3, padding: 1),
            };
        }

        stop.Cancel();
        collector.Join();
        Console.WriteLine($"RESULT finalizer-race: {builds} {what} modules built beside a collecting thread, no crash");
    }
}
