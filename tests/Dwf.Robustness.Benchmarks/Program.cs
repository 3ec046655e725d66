using System.Diagnostics;
using Dwf.Robustness.Benchmarks;
using Dwf.Robustness.Data;
using TorchSharp;

// Usage: dotnet run -c Release --project tests/Dwf.Robustness.Benchmarks -- <workload> [args]
// Workloads: conv-check [library|plain] [repeats] [skip rows] | gradcheck-cost | replicated-coverage [studies] | load [archive] | evaluation-phase <run> <model.bin> <out prefix> [archive] | plans <run> <expert|mixture> <rapid|standard> <cascade|sweep> [n] [archive] | crosscheck <model.bin> <width> [n] [steps] [targets] [archive] [report] | crosscheck-standard <model.bin> <Linf|L2> <offset> <n> [archive] [report] | onnx-parity <model.bin> [n] [square images] [queries] [archive] | onnx-export <model.bin> <out.onnx> | cold-start <torch|onnx> <model> | image-folder <folder> [n] [archive] | soak [steps] | pgd [width] [batch] | moe [width] [batch] | memory … | joint [runs] | phases | layers | mixture-batch [sizes…] | finalizer-race [builds] [conv|resnet|mixture] | allocator-probe | fastbins-probe | grouped-probe | layout-probe [batch] | interop-probe [batch] | list | run <workload> [runs] [archive]
if (args is ["cold-start", var runtime, var coldModel])
{
    // cold-start <torch|onnx> <model.bin with manifest | model.onnx>: process start to the first prediction of one
    // image; before anything below touches libtorch, so that the ONNX Runtime process never loads it.
    ColdStartWorkload.Run(runtime, coldModel);
    return 0;
}

Allocator.ConfigureFromEnvironment();
string workload = args.Length > 0 ? args[0] : "help";
torch.set_num_threads(int.TryParse(Environment.GetEnvironmentVariable("DWF_THREADS"), out int t) ? t : Environment.ProcessorCount);
switch (workload)
{
    case "load":
    {
        string path = args.Length > 1 ? args[1] : "../shared/data/cifar10/cifar-10-binary.tar.gz";
        using (torch.zeros(1)) { }
        double baseline = Measure.RssMb();
        var sw = Stopwatch.StartNew();
        using var train = Cifar10Reader.Load(path, Cifar10Split.Train);
        double trainSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"after train: RSS {Measure.RssMb():F0} MB, peak {Measure.PeakRssMb():F0} MB, managed {GC.GetTotalMemory(false) / 1e6:F0} MB");
        sw.Restart();
        using var test = Cifar10Reader.Load(path, Cifar10Split.Test);
        double testSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"load train ({train.Count} images): {trainSeconds:F2} s; test ({test.Count}): {testSeconds:F2} s; " +
                          $"peak RSS {Measure.PeakRssMb():F0} MB (process with libtorch loaded, before reading: {baseline:F0} MB); RSS now {Measure.RssMb():F0} MB");
        sw.Restart();
        using (var both = Cifar10Reader.LoadTrainAndTest(path))
        {
            Console.WriteLine($"LoadTrainAndTest (one pass, {both.Train.Count} + {both.Test.Count} images): {sw.Elapsed.TotalSeconds:F2} s");
        }

        break;
    }

    case "conv-check":
        // conv-check [library|plain] [repeats=3] [skip=0]: float32 convolutions against float64 through ChannelsLastConv2d, and with
        // "plain" also plain conv2d, which can abort the process where libtorch's kernels are wrong (docs/reliability.md)
        return ConvolutionDiagnostic.Run(args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3, args.Length > 1 && args[1] == "plain",
            args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 0);

    case "replicated-coverage":
        // replicated-coverage [studies=2000]: ReplicatedComparison's interval coverage on simulated studies (docs/evaluation.md)
        ReplicatedCoverage.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000);
        break;

    case "gradcheck-cost":
        // the once-per-model InputGradientCheck on a width-0.25 ResNet-18 and a nine-expert mixture (docs/reliability.md)
        GradientCheckCost.Run();
        break;

    case "pgd":
        ModelWorkloads.RunPgd(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0.25, args.Length > 2 ? int.Parse(args[2]) : 128);
        break;

    case "moe":
        ModelWorkloads.RunMixture(9, args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0.25, args.Length > 2 ? int.Parse(args[2]) : 128);
        break;

    case "run":
        // run <workload> [runs=5] [archive]: one workload of the PyTorch comparison (see docs/performance.md)
        Workloads.Run(args[1], args.Length > 2 ? int.Parse(args[2]) : 5, args.Length > 3 ? args[3] : "../shared/data/cifar10/cifar-10-binary.tar.gz");
        break;

    case "memory":
        // memory <clean|fgsm|pgd> [epochs=6] [perClass=800] [archive]
        MemoryWorkload.Run(args.Length > 4 ? args[4] : "../shared/data/cifar10/cifar-10-binary.tar.gz",
            args.Length > 2 ? int.Parse(args[2]) : 6, args.Length > 3 ? int.Parse(args[3]) : 800, args.Length > 1 ? args[1] : "clean");
        break;

    case "soak":
        // soak [steps=1000]: RSS and live tensors over training steps and attack calls; compare with DWF_ALLOCATOR=default
        SoakWorkload.Run(args.Length > 1 ? int.Parse(args[1]) : 1000);
        break;

    case "crosscheck":
        // crosscheck <model.bin> <width> [n=500] [steps=100] [targets=9] [archive] [report.json]: the library's side of python/crosscheck_autoattack.py
        CrossCheckWorkload.Run(args[1], double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
            args.Length > 3 ? int.Parse(args[3]) : 500, args.Length > 4 ? int.Parse(args[4]) : 100, args.Length > 5 ? int.Parse(args[5]) : 9,
            args.Length > 6 ? args[6] : "../shared/data/cifar10/cifar-10-binary.tar.gz", args.Length > 7 ? args[7] : "crosscheck-report.json");
        break;

    case "crosscheck-standard":
        // crosscheck-standard <model.bin with manifest> <Linf|L2> <offset> <n> [archive] [report.json]: the library's side of python/crosscheck_autoattack.py --standard
        StandardCrossCheckWorkload.Run(args[1], Enum.Parse<Dwf.Robustness.Attacks.ThreatModel>(args[2]), int.Parse(args[3]), int.Parse(args[4]),
            args.Length > 5 ? args[5] : "../shared/data/cifar10/cifar-10-binary.tar.gz", args.Length > 6 ? args[6] : "crosscheck-standard-report.json");
        break;

    case "image-folder":
        // image-folder <folder> [n=10000] [archive]: n CIFAR-10 test images as PNG files (once), read back with ImageFolder.Load
        ImageFolderWorkload.Run(args.Length > 3 ? args[3] : "../shared/data/cifar10/cifar-10-binary.tar.gz", args[1], args.Length > 2 ? int.Parse(args[2]) : 10_000);
        break;

    case "onnx-export":
        // onnx-export <model.bin with manifest> <out.onnx>: the saved expert or mixture as ONNX (CIFAR-10 class names, 32-pixel images)
        OnnxParityWorkload.Export(args[1], args[2]);
        break;

    case "onnx-parity":
        // onnx-parity <model.bin with manifest> [n=1000] [square images=0] [queries=5000] [archive]: ONNX Runtime against TorchSharp on the exported model
        OnnxParityWorkload.Run(args[1], args.Length > 2 ? int.Parse(args[2]) : 1000, args.Length > 3 ? int.Parse(args[3]) : 0, args.Length > 4 ? int.Parse(args[4]) : 5000,
            args.Length > 5 ? args[5] : "../shared/data/cifar10/cifar-10-binary.tar.gz");
        break;

    case "calibrate":
        // calibrate <seed> [cosine|constant|onecycle] [warmupEpochs] [nesterov] [decayNormAndBias] [epochs]: the library's side of python/calibrate_clean_expert.py
        CalibrationWorkload.Run(args, Environment.GetEnvironmentVariable("DWF_CIFAR10") ?? "../shared/data/cifar10/cifar-10-binary.tar.gz");
        break;

    case "evaluation-phase":
        // evaluation-phase <run> <model.bin> <out prefix> [archive]: a sample run's evaluation of one model, fixed clock, batches per pass
        EvaluationPhaseWorkload.Run(args[1], args[2], args[3], args.Length > 4 ? args[4] : "../shared/data/cifar10/cifar-10-binary.tar.gz");
        break;

    case "plans":
        // plans <runFolder> <expert|mixture> <rapid|standard> <cascade|sweep> [n=500] [archive]: time of the AutoAttack plans
        PlansWorkload.Run(args[1], args[2], args[3], args[4], args.Length > 5 ? int.Parse(args[5]) : 500,
            args.Length > 6 ? args[6] : "../shared/data/cifar10/cifar-10-binary.tar.gz");
        break;

    case "allocator-probe":
        // page faults of a step-like allocation pattern; compare with DWF_ALLOCATOR=default
        AllocatorProbe.Run();
        break;

    case "joint":
        // joint [runs=5]: the joint-training batch's time by part (FGSM, PGD-10, training step)
        JointBreakdown.Run(args.Length > 1 ? int.Parse(args[1]) : 5);
        break;

    case "layout-probe":
        // layout-probe [batch=128]: conv weights laid out channels-last vs as created, one ResNet-18 at width 0.25
        LayoutProbe.Run(args.Length > 1 ? int.Parse(args[1]) : 128);
        break;

    case "interop-probe":
        // interop-probe [batch=128]: two experts at a time on one thread each vs one after another on two threads
        InterOpProbe.Run(args.Length > 1 ? int.Parse(args[1]) : 128);
        break;

    case "fastbins-probe":
        // the mixture step with glibc's fastbins off (as tuned) and on, alternated in one process
        FastbinsProbe.Run();
        break;

    case "phases":
        // forward and backward timed apart: mixture, experts together, one expert, gate (bench.py phases: the same in PyTorch)
        PhaseProbe.Run();
        break;

    case "layers":
        // single layers as PGD uses them (eval, input gradient, batch 42); bench.py layers: the same in PyTorch
        LayerProbe.Run();
        break;

    case "finalizer-race":
        // finalizer-race [builds]: convolutions built while another thread collects garbage (a use-after-free crashes)
        FinalizerRaceProbe.Run(args.Length > 1 ? int.Parse(args[1]) : 20000, args.Length > 2 ? args[2] : "conv");
        break;

    case "mixture-batch":
        // mixture-batch [sizes…]: the 9-expert mixture's PGD cost per image-iteration at each evaluation batch size
        MixtureBatchProbe.Run(args.Length > 1 ? args[1..].Select(int.Parse).ToList() : [32, 64, 125, 250]);
        break;

    case "grouped-probe":
        // nine experts' convolutions as one grouped convolution vs nine separate ones (forward + backward per layer shape)
        GroupedConvProbe.Run();
        break;

    case "list":
        Console.WriteLine(string.Join(" ", Workloads.Names));
        break;

    default:
        Console.WriteLine("usage: load [archive] | pgd [width=0.25] [batch=128] | moe [width=0.25] [batch=128] | memory <clean|fgsm|pgd> [epochs] [perClass] [archive] | joint [runs] | phases | layers | mixture-batch [sizes…] | finalizer-race [builds] [conv|resnet|mixture] | allocator-probe | fastbins-probe | grouped-probe | layout-probe [batch] | interop-probe [batch] | list | run <workload> [runs] [archive]");
        break;
}
return 0;
