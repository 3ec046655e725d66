using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Dwf.Robustness.Serving;

/// <summary>
/// A model exported by <c>Dwf.Robustness.Onnx</c> running on ONNX Runtime: batches of [0,1] images
/// [batch, channels, height, width] to logits, probabilities and, for a mixture, the gate weights. One instance serves
/// concurrent requests (ONNX Runtime's <see cref="InferenceSession.Run(IReadOnlyCollection{NamedOnnxValue})"/> is
/// thread-safe). Inputs are checked before they reach the runtime: shape, length, and every value finite and in [0,1].
/// </summary>
public sealed class OnnxClassifier : IDisposable
{
    /// <summary>The input the exporter writes.</summary>
    public const string InputName = "images";

    /// <summary>Largest image side accepted (a request asking for more is refused before any work).</summary>
    public const int MaxSide = 4096;

    private readonly InferenceSession _session;

    /// <summary>Loads the model file at <paramref name="path"/>.</summary>
    /// <param name="path">An .onnx file written by <c>OnnxExport</c>.</param>
    /// <param name="options">ONNX Runtime session options (threads, providers); defaults when null.</param>
    /// <exception cref="InvalidDataException">Not a model of this library (no <c>images</c> input, no <c>logits</c> output, no class count).</exception>
    public OnnxClassifier(string path, SessionOptions? options = null)
        : this(Open(() => options is null ? new InferenceSession(path) : new InferenceSession(path, options), path))
    {
    }

    /// <summary>Loads a model from its bytes.</summary>
    /// <param name="model">The serialized model.</param>
    /// <param name="options">ONNX Runtime session options; defaults when null.</param>
    public OnnxClassifier(byte[] model, SessionOptions? options = null)
        : this(Open(() => options is null ? new InferenceSession(model) : new InferenceSession(model, options), "the model bytes"))
    {
    }

    private OnnxClassifier((InferenceSession Session, string Source) opened)
    {
        _session = opened.Session;
        try
        {
            var metadata = _session.ModelMetadata.CustomMetadataMap;
            if (!_session.InputMetadata.ContainsKey(InputName) || !_session.OutputMetadata.ContainsKey("logits") ||
                !metadata.TryGetValue("dwf.classes", out var classes) || !int.TryParse(classes, NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 1)
            {
                throw new InvalidDataException(
                    $"{opened.Source} is not a model exported by Dwf.Robustness.Onnx (it needs an input '{InputName}', an output 'logits' and the metadata 'dwf.classes'). Export it with OnnxExport.Save.");
            }

            Classes = k;
            Channels = (int)_session.InputMetadata[InputName].Dimensions[1];
            HasGate = _session.OutputMetadata.ContainsKey("gate_weights");
            Experts = metadata.TryGetValue("dwf.experts", out var experts) ? experts.Split(',') : [];
            ImageSize = metadata.TryGetValue("dwf.image_size", out var size) && int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out int side) && side is >= 1 and <= MaxSide ? side : null;
            ClassNames = metadata.TryGetValue("dwf.class_names", out var names) && names.Split('\n') is { } list && list.Length == k ? list : null;
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>Classes per image.</summary>
    public int Classes { get; }

    /// <summary>Channels per image the model takes.</summary>
    public int Channels { get; }

    /// <summary>Whether predictions carry gate weights (a mixture).</summary>
    public bool HasGate { get; }

    /// <summary>The experts' names: the gate-weight columns of a mixture; the model's name for a single expert.</summary>
    public IReadOnlyList<string> Experts { get; }

    /// <summary>The side of the square images the model was trained on (requests are resized to it); null when the file does not say.</summary>
    public int? ImageSize { get; }

    /// <summary>The classes' names in output order; null when the file does not name them.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Predicts a batch of images.</summary>
    /// <param name="images">[batch × channels × height × width] values in [0,1], row-major (NCHW).</param>
    /// <param name="batch">Images (≥ 1).</param>
    /// <param name="height">Rows per image (1 to <see cref="MaxSide"/>).</param>
    /// <param name="width">Columns per image (1 to <see cref="MaxSide"/>).</param>
    /// <returns>Logits, probabilities and gate weights.</returns>
    /// <exception cref="ArgumentException">A shape that does not match the values, a side out of range, or a value outside [0,1] (named with its index).</exception>
    public Prediction Predict(float[] images, int batch, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(images);
        Check(images, batch, height, width);
        var input = new DenseTensor<float>(images, [batch, Channels, height, width]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(InputName, input)]);
        float[] logits = results.First(r => r.Name == "logits").AsEnumerable<float>().ToArray();
        float[]? gate = HasGate ? results.First(r => r.Name == "gate_weights").AsEnumerable<float>().ToArray() : null;
        return new Prediction(batch, Classes, logits, Softmax(logits, Classes), gate);
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private void Check(float[] images, int batch, int height, int width)
    {
        if (batch < 1 || height < 1 || width < 1 || height > MaxSide || width > MaxSide)
        {
            throw new ArgumentException(
                $"A batch needs ≥ 1 image of 1 to {MaxSide} pixels a side; got batch {batch}, {height}×{width}.", nameof(images));
        }

        long expected = (long)batch * Channels * height * width;
        if (images.Length != expected)
        {
            throw new ArgumentException(
                $"{batch} images of {Channels}×{height}×{width} need {expected} values (NCHW); got {images.Length}.", nameof(images));
        }

        for (int i = 0; i < images.Length; i++)
        {
            if (!(images[i] >= 0f && images[i] <= 1f))
            {
                throw new ArgumentException(
                    $"Value {i} (image {i / (Channels * height * width)}) is {images[i].ToString(CultureInfo.InvariantCulture)}; images are in [0,1] (divide 8-bit pixels by 255).", nameof(images));
            }
        }
    }

    private static float[] Softmax(float[] logits, int classes)
    {
        var probabilities = new float[logits.Length];
        for (int row = 0; row < logits.Length; row += classes)
        {
            float max = float.NegativeInfinity;
            for (int k = 0; k < classes; k++)
            {
                max = Math.Max(max, logits[row + k]);
            }

            double sum = 0;
            for (int k = 0; k < classes; k++)
            {
                sum += Math.Exp(logits[row + k] - max);
            }

            for (int k = 0; k < classes; k++)
            {
                probabilities[row + k] = (float)(Math.Exp(logits[row + k] - max) / sum);
            }
        }

        return probabilities;
    }

    private static (InferenceSession, string) Open(Func<InferenceSession> open, string source)
    {
        try
        {
            return (open(), source);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"ONNX Runtime cannot load {source}: {e.Message}", e);
        }
    }
}
