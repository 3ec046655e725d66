using static TorchSharp.torch;

namespace Dwf.Robustness.Infrastructure;

/// <summary>Argument checks shared by attacks, models, training and evaluation. Messages name the value and the fix.</summary>
internal static class InputGuards
{
    public const double RangeTolerance = 1e-6;

    /// <summary>A shape as error messages show it: <c>[128,3,32,32]</c>.</summary>
    public static string Shape(IEnumerable<long> shape) => $"[{string.Join(",", shape)}]";

    /// <summary>Images float [B,C,H,W] in [0,1] without NaN.</summary>
    public static void CheckImages(Tensor images, string name = "images")
    {
        ArgumentNullException.ThrowIfNull(images, name);
        if (images.dim() != 4)
        {
            throw new ArgumentException(
                $"{name} must have rank 4 [B,C,H,W]; got shape {Shape(images.shape)}. Add a batch dimension with unsqueeze(0) for one image.", name);
        }

        if (images.device.type == TorchSharp.DeviceType.META)
        {
            throw new ArgumentException(
                $"{name} are on the meta device (a shape without data, shape {Shape(images.shape)}); create them on the CPU or a GPU.", name);
        }

        if (!images.is_floating_point())
        {
            throw new ArgumentException(
                $"{name} must be a floating-point tensor in [0,1]; got {images.dtype}. Convert uint8 images with images.to(float32) / 255.", name);
        }

        if (images.numel() == 0)
        {
            throw new ArgumentException($"{name} is empty (shape {Shape(images.shape)}).", name);
        }

        using var scope = NewDisposeScope();
        if (images.isnan().any().item<bool>())
        {
            throw new ArgumentException($"{name} contains NaN values.", name);
        }

        double min = images.min().to(ScalarType.Float64).item<double>(), max = images.max().to(ScalarType.Float64).item<double>();
        if (min < -RangeTolerance || max > 1 + RangeTolerance)
        {
            throw new ArgumentException(
                $"{name} must be in [0,1] (pixel units; normalization belongs inside the model); got values in [{min}, {max}].", name);
        }
    }

    /// <summary>Images as above and labels int64 [B] with non-negative values.</summary>
    public static void CheckImagesAndLabels(Tensor images, Tensor labels)
    {
        CheckImages(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.device.type == TorchSharp.DeviceType.META)
        {
            throw new ArgumentException("labels are on the meta device (a shape without data); create them on the CPU or a GPU.", nameof(labels));
        }

        if (labels.dtype != ScalarType.Int64 || labels.dim() != 1)
        {
            throw new ArgumentException($"labels must be int64 [B]; got {labels.dtype} with shape {Shape(labels.shape)}.", nameof(labels));
        }

        if (labels.shape[0] != images.shape[0])
        {
            throw new ArgumentException($"labels has {labels.shape[0]} entries but the batch has {images.shape[0]} images; pass one label per image.", nameof(labels));
        }

        using var scope = NewDisposeScope();
        long min = labels.min().item<long>();
        if (min < 0)
        {
            throw new ArgumentException($"labels must be class indices ≥ 0; got {min}.", nameof(labels));
        }
    }

    /// <summary>
    /// Images of the dtype and on the device of the model's parameters (when it has any), so a mismatch is named here
    /// instead of failing in the first convolution with a native message.
    /// </summary>
    public static void CheckMatchesModel(Tensor images, nn.Module model, string name = "images")
    {
        var parameter = model.parameters().FirstOrDefault();
        if (parameter is null)
        {
            return;
        }

        if (parameter.dtype != images.dtype)
        {
            throw new ArgumentException(
                $"{name} are {images.dtype} but the model's parameters are {parameter.dtype}; convert with images.to(ScalarType.{parameter.dtype}).", name);
        }

        if (parameter.device.type != images.device.type || parameter.device.index != images.device.index)
        {
            throw new ArgumentException(
                $"{name} are on {images.device} but the model is on {parameter.device}; move them with images.to(model's device).", name);
        }
    }

    /// <summary>Refuses a model with a NaN or infinite parameter or buffer: its outputs mean nothing, and an evaluation would report them.</summary>
    public static void CheckFiniteParameters(nn.Module model)
    {
        using var scope = NewDisposeScope();
        foreach (var (name, tensor) in model.state_dict())
        {
            if (tensor.is_floating_point() && !tensor.isfinite().all().item<bool>())
            {
                throw new ArgumentException(
                    $"The model's '{name}' holds NaN or infinite values: training diverged or the weights are corrupt. Retrain or load other weights.", "model");
            }
        }
    }

    /// <summary>Logits [B,K] for a batch of <paramref name="batch"/> images, with K above the largest label.</summary>
    /// <param name="largestLabel">The largest label of the batch (read once by the caller).</param>
    /// <param name="batch">Images in the batch.</param>
    /// <param name="logits">What the model returned.</param>
    public static void CheckLabelRange(long largestLabel, long batch, Tensor logits)
    {
        if (logits.dim() != 2 || logits.shape[0] != batch)
        {
            throw new ArgumentException(
                $"The model must return logits [B,K] with B = {batch}; it returned shape {Shape(logits.shape)}.", "model");
        }

        if (largestLabel >= logits.shape[1])
        {
            throw new ArgumentException(
                $"labels contain class {largestLabel} but the model has {logits.shape[1]} outputs (classes 0–{logits.shape[1] - 1}).", "labels");
        }
    }
}
