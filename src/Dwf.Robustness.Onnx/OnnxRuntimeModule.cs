using Dwf.Robustness.Serving;
using static TorchSharp.torch;

namespace Dwf.Robustness.Onnx;

/// <summary>
/// An exported model run by ONNX Runtime (<see cref="OnnxClassifier"/>) as a TorchSharp module, so the library's
/// gradient-free attacks (Square) and the evaluator query the deployed artifact itself: [0,1] images [B,C,H,W] in,
/// logits out, on the input's device. ONNX Runtime computes no gradients: an input that requires one is refused with a
/// message naming the gradient-free attacks, instead of a gradient attack silently seeing none. Evaluate it with a
/// plan of gradient-free attacks and <c>EvaluationOptions.GradientCheck = GradientCheckMode.Off</c> (the input-gradient
/// check needs a gradient).
/// </summary>
public sealed class OnnxRuntimeModule : nn.Module<Tensor, Tensor>
{
    private readonly OnnxClassifier _classifier;

    /// <summary>Wraps <paramref name="classifier"/>; the module does not own it.</summary>
    /// <param name="classifier">The loaded model.</param>
    public OnnxRuntimeModule(OnnxClassifier classifier)
        : base(nameof(OnnxRuntimeModule))
    {
        _classifier = classifier ?? throw new ArgumentNullException(nameof(classifier));
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.requires_grad)
        {
            throw new NotSupportedException(
                "ONNX Runtime computes no gradients: attack the exported model with a gradient-free attack (Square), or the TorchSharp model it was exported from with gradient attacks.");
        }

        if (input.dim() != 4)
        {
            throw new ArgumentException($"Expected images [B,C,H,W]; got {input.dim()} dimensions.", nameof(input));
        }

        using var scope = NewDisposeScope();
        var values = input.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        var prediction = _classifier.Predict(values, (int)input.shape[0], (int)input.shape[2], (int)input.shape[3]);
        return tensor(prediction.Logits, [prediction.Batch, prediction.Classes]).to(input.device).MoveToOuterDisposeScope();
    }
}
