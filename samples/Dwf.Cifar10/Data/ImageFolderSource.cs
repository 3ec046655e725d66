using Dwf.Robustness.Data;
using Dwf.Robustness.Images;

namespace Dwf.Cifar10.Data;

/// <summary>
/// A team's own images: <c>root/train/&lt;class&gt;/*.png|jpg</c> and <c>root/test/&lt;class&gt;/*</c> (torchvision's
/// ImageFolder layout, one sub-folder per class, the same classes in both), read with <see cref="ImageFolder"/> at
/// <c>ImageSize</c>×<c>ImageSize</c>; normalized with the statistics of the experts' training images.
/// </summary>
/// <param name="Root">The folder holding <c>train</c> and <c>test</c>.</param>
/// <param name="Size">Side of the square images the models take.</param>
public sealed record ImageFolderSource(string Root, int Size) : IDataSource
{
    /// <summary>The training part's folder name.</summary>
    public const string TrainFolder = "train";

    /// <summary>The test part's folder name.</summary>
    public const string TestFolder = "test";

    /// <summary>True when <paramref name="path"/> is a folder with <c>train</c> and <c>test</c> sub-folders.</summary>
    public static bool IsLayout(string path) =>
        Directory.Exists(System.IO.Path.Combine(path, TrainFolder)) && Directory.Exists(System.IO.Path.Combine(path, TestFolder));

    /// <inheritdoc />
    public string Name => System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(Root)));

    /// <inheritdoc />
    public bool ComparableToPaper => false;

    /// <inheritdoc />
    public ImageDataset Load(DataPart part, CancellationToken cancellationToken)
    {
        var options = new ImageFolderOptions { Size = Size };
        var data = ImageFolder.Load(System.IO.Path.Combine(Root, Folder(part)), options, cancellationToken: cancellationToken).Dataset;
        var train = part == DataPart.Test ? ImageFolder.ClassNames(System.IO.Path.Combine(Root, TrainFolder), options) : data.ClassNames;
        if (!train.SequenceEqual(data.ClassNames))
        {
            data.Dispose();
            throw new InvalidDataException(
                $"'{Root}': the test classes ({string.Join(", ", data.ClassNames)}) are not the training classes ({string.Join(", ", train)}); " +
                "both parts need the same class sub-folders, so that a label means the same class in both.");
        }

        return data;
    }

    /// <inheritdoc />
    public string Describe(DataPart part, string? subset = null) =>
        $"{Name} {Folder(part)}{(subset is null ? "" : $", {subset}")} ({System.IO.Path.GetFullPath(Root)}, {Size}×{Size})";

    /// <summary>The mean and standard deviation of every channel over the experts' training images.</summary>
    public ChannelStatistics Normalization(ImageDataset expertTraining) => ChannelStatistics.Of(expertTraining);

    private static string Folder(DataPart part) => part == DataPart.Train ? TrainFolder : TestFolder;
}
