using Dwf.Robustness.Data;

namespace Dwf.Cifar10.Data;

/// <summary>What every model of a run is built for, taken from its training data: the classes (count and names, kept in every manifest) and the input normalization.</summary>
/// <param name="ClassNames">The training set's class names in label order.</param>
/// <param name="Normalization">Per-channel mean and std of the experts' training images (CIFAR-10: its published statistics).</param>
public sealed record ModelInput(IReadOnlyList<string> ClassNames, ChannelStatistics Normalization)
{
    /// <summary>Number of classes.</summary>
    public int Classes => ClassNames.Count;
}
