using System.Diagnostics;
using Dwf.Robustness.Defenses;
using Dwf.Robustness.Serving;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// A served model's cold start on each runtime (issue 34's footprint table): in a fresh process, the time from the
/// process's start to the first prediction of one 32×32 image, with libtorch (the saved model rebuilt from its
/// manifest) or with ONNX Runtime (the exported .onnx). Run once per process: <c>cold-start torch model.bin</c>,
/// <c>cold-start onnx model.onnx</c>.
/// </summary>
internal static class ColdStartWorkload
{
    public static void Run(string runtime, string model)
    {
        var started = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        var pixels = new float[3 * 32 * 32];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (i % 97) / 96f;
        }

        int label;
        var clock = Stopwatch.StartNew();
        if (runtime == "onnx")
        {
            using var classifier = new OnnxClassifier(model);
            label = classifier.Predict(pixels, 1, 32, 32).Label(0);
        }
        else if (runtime == "torch")
        {
            using var loaded = SavedDefense.LoadClassifier(model);
            using var noGrad = no_grad();
            using var x = tensor(pixels, [1, 3, 32, 32]);
            using var logits = loaded.call(x);
            label = (int)logits.argmax(1).item<long>();
        }
        else
        {
            throw new ArgumentException($"cold-start: the runtime is 'torch' or 'onnx'; got '{runtime}'.");
        }

        double total = (DateTime.UtcNow - started).TotalSeconds;
        Console.WriteLine($"{runtime}: process start to first prediction {total:F2} s (load and predict {clock.Elapsed.TotalSeconds:F2} s), label {label}");
    }
}
