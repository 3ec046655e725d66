using static TorchSharp.torch;

namespace Dwf.Robustness.Data;

/// <summary>
/// One mini-batch: float images [B,3,H,W] in [0,1] and int64 labels [B], on the loader's device. The tensors are
/// detached from every dispose scope: the receiver owns them and disposes the batch when done.
/// </summary>
public sealed class Batch : IDisposable
{
    internal Batch(Tensor images, Tensor labels)
    {
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
    }

    /// <summary>float32 images [B,3,H,W] in [0,1].</summary>
    public Tensor Images { get; }

    /// <summary>int64 labels [B].</summary>
    public Tensor Labels { get; }

    /// <summary>Batch size.</summary>
    public int Size => (int)Labels.shape[0];

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
