using Dwf.Robustness.Data;

namespace Dwf.Cifar10.Data;

/// <summary>CIFAR-10 from the official binary archive or its extracted folder; normalized with CIFAR-10's published training-set statistics.</summary>
/// <param name="Path">The archive or the extracted folder.</param>
public sealed record Cifar10Source(string Path) : IDataSource
{
    private string? provenance;

    /// <inheritdoc />
    public string Name => "CIFAR-10";

    /// <inheritdoc />
    public bool ComparableToPaper => true;

    /// <inheritdoc />
    public ImageDataset Load(DataPart part, CancellationToken cancellationToken) =>
        Cifar10Reader.Load(Path, part == DataPart.Train ? Cifar10Split.Train : Cifar10Split.Test);

    /// <inheritdoc />
    public string Describe(DataPart part, string? subset = null)
    {
        provenance ??= DataProvenance.Describe(Path);
        string name = part == DataPart.Test ? "CIFAR-10 test" : subset is null ? "CIFAR-10" : "CIFAR-10 training set";
        return provenance.Replace("CIFAR-10", subset is null ? name : $"{name}, {subset}", StringComparison.Ordinal);
    }

    /// <summary>CIFAR-10's statistics (the ones every CIFAR-10 model of this project was trained with), whatever subset trains.</summary>
    public ChannelStatistics Normalization(ImageDataset expertTraining) => ChannelStatistics.Cifar10;
}
