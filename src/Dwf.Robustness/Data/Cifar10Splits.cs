namespace Dwf.Robustness.Data;

/// <summary>The training and test splits read in one pass (<see cref="Cifar10Reader.LoadTrainAndTest"/>); disposing it disposes both.</summary>
/// <param name="train">The 50,000 training images.</param>
/// <param name="test">The 10,000 test images.</param>
public sealed class Cifar10Splits(ImageDataset train, ImageDataset test) : IDisposable
{
    /// <summary>The training split.</summary>
    public ImageDataset Train { get; } = train ?? throw new ArgumentNullException(nameof(train));

    /// <summary>The test split.</summary>
    public ImageDataset Test { get; } = test ?? throw new ArgumentNullException(nameof(test));

    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
