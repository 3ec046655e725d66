using Dwf.Robustness.Data;

namespace Dwf.Cifar10.Data;

/// <summary>
/// Where a run's images come from (<c>--data</c>): CIFAR-10 (<see cref="Cifar10Source"/>) or a team's own
/// class-per-folder images (<see cref="ImageFolderSource"/>). A new kind of data is a new source plus a line in
/// <see cref="DataSources.Open"/>.
/// </summary>
public interface IDataSource
{
    /// <summary>The dataset's name in reports and titles ("CIFAR-10", or the folder's name).</summary>
    string Name { get; }

    /// <summary>True when the paper's CIFAR-10 numbers are a meaningful reference for this data (results.md shows them beside ours).</summary>
    bool ComparableToPaper { get; }

    /// <summary>Reads one part; the caller disposes it.</summary>
    /// <param name="part">Training or test images.</param>
    /// <param name="cancellationToken">Checked while reading.</param>
    ImageDataset Load(DataPart part, CancellationToken cancellationToken);

    /// <summary>What a report says the images of <paramref name="part"/> are (which copy, which part).</summary>
    /// <param name="part">Training or test images.</param>
    /// <param name="subset">The subset of the part evaluated ("validation split"); null: the part itself.</param>
    string Describe(DataPart part, string? subset = null);

    /// <summary>The experts' and the gate's input normalization, from the experts' training images only.</summary>
    /// <param name="expertTraining">The images the experts train on.</param>
    ChannelStatistics Normalization(ImageDataset expertTraining);
}
