using Dwf.Robustness.Persistence;

namespace Dwf.Robustness.Onnx;

/// <summary>What an exported file records beside the graph for the service that runs it.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The side, in pixels, of the square images the model was trained on (CIFAR-10: 32): a service resizes requests to it.</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>The classes' names in output order (e.g. <c>ImageDataset.ClassNames</c>); none when null.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    /// <param name="classes">The model's class count.</param>
    public void Validate(int classes)
    {
        if (ImageSize is < 1 or > 4096)
        {
            throw new ArgumentException($"ImageSize must be 1 to 4096 pixels; got {ImageSize}.", nameof(ImageSize));
        }

        if (ClassNames is { } names)
        {
            string? problem = names.Select(ModelManifest.ClassNameProblem).FirstOrDefault(p => p is not null);
            if (names.Count != classes || problem is not null)
            {
                throw new ArgumentException(
                    $"ClassNames must hold one name ({ModelManifest.ClassNameRule}) for each of the model's {classes} classes, as a model manifest does; " +
                    $"got {names.Count} names{(problem is null ? "" : $", and {problem}")}.",
                    nameof(ClassNames));
            }
        }
    }
}
