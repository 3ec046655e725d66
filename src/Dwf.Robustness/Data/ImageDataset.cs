using Dwf.Robustness.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Robustness.Data;

/// <summary>
/// A labelled image set: images as a uint8 tensor [N,C,H,W] (0–255, compact: CIFAR-10 as read) or a float32 tensor
/// in [0,1] (any other source, kept exactly), labels as int64 [N]. <see cref="BatchLoader"/> hands out float batches
/// in [0,1] either way. The dataset owns its tensors (they are detached from every dispose scope); dispose it to free them.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    /// <summary>Creates a dataset from tensors; takes ownership of them.</summary>
    /// <param name="images">uint8 [N,C,H,W] (0–255), or float32 [N,C,H,W] with every value in [0,1].</param>
    /// <param name="labels">int64 [N], each in [0, classNames.Count).</param>
    /// <param name="classNames">Class names in label order.</param>
    public ImageDataset(Tensor images, Tensor labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (images.dtype is not (ScalarType.Byte or ScalarType.Float32) || images.dim() != 4)
        {
            throw new ArgumentException($"images must be uint8 [N,C,H,W] or float32 [N,C,H,W] in [0,1]; got {images.dtype} with shape {InputGuards.Shape(images.shape)}.", nameof(images));
        }

        if (images.dtype == ScalarType.Float32 && images.numel() > 0)
        {
            using var scope = NewDisposeScope();
            bool finite = images.isfinite().all().item<bool>();
            double lo = images.min().item<float>(), hi = images.max().item<float>();
            if (!finite || lo < 0 || hi > 1)
            {
                throw new ArgumentException(
                    $"float images must be finite and in [0,1] (normalization lives inside the model); got {(finite ? $"values from {lo} to {hi}" : "NaN or infinite values")}. " +
                    "Divide 0–255 data by 255, or pass it as uint8.", nameof(images));
            }
        }

        if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != images.shape[0])
        {
            throw new ArgumentException($"labels must be int64 [{images.shape[0]}]; got {labels.dtype} with shape {InputGuards.Shape(labels.shape)}.", nameof(labels));
        }

        if (labels.shape[0] > 0)
        {
            using var minT = labels.min();
            using var maxT = labels.max();
            long min = minT.item<long>(), max = maxT.item<long>();
            if (min < 0 || max >= classNames.Count)
            {
                throw new ArgumentException(
                    $"labels must lie in 0–{classNames.Count - 1} (one per class name); got values from {min} to {max}. " +
                    "Pass the class names of every label, or fix the labels.", nameof(labels));
            }
        }

        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        ClassNames = classNames;
    }

    /// <summary>Images [N,C,H,W]: uint8 0–255, or float32 in [0,1].</summary>
    public Tensor Images { get; }

    /// <summary>int64 labels [N].</summary>
    public Tensor Labels { get; }

    /// <summary>Class names in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of images.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>A new dataset with the first <paramref name="count"/> images (copies; this one is unchanged).</summary>
    /// <param name="count">1 to <see cref="Count"/>.</param>
    public ImageDataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        return Slice(0, count);
    }

    /// <summary>Images [start, start + count) as a new dataset (copies; this one is unchanged).</summary>
    internal ImageDataset Slice(int start, int count)
    {
        using var scope = NewDisposeScope();
        return new ImageDataset(Images.narrow(0, start, count).clone(), Labels.narrow(0, start, count).clone(), ClassNames);
    }

    /// <summary>
    /// A new dataset with the first <paramref name="perClass"/> images of every class, in their original order
    /// (deterministic, stratified).
    /// </summary>
    /// <param name="perClass">Images per class; every class must have that many.</param>
    public ImageDataset TakePerClass(int perClass) => TakePerClass(perClass, 0);

    /// <summary>
    /// A new dataset with <paramref name="perClass"/> images of every class after skipping the first
    /// <paramref name="skipPerClass"/> of each, in their original order: <c>TakePerClass(k)</c> and
    /// <c>TakePerClass(v, skipPerClass: k)</c> are disjoint, stratified training and validation splits.
    /// </summary>
    /// <param name="perClass">Images per class; every class must have <paramref name="skipPerClass"/> + that many.</param>
    /// <param name="skipPerClass">Images of each class to pass over first; 0 or more.</param>
    public ImageDataset TakePerClass(int perClass, int skipPerClass)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perClass, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(skipPerClass);
        var labels = Labels.data<long>().ToArray();
        var seen = new int[ClassNames.Count];
        var indices = new List<long>(perClass * ClassNames.Count);
        for (int i = 0; i < labels.Length; i++)
        {
            int n = seen[labels[i]]++;
            if (n >= skipPerClass && n < skipPerClass + perClass)
            {
                indices.Add(i);
            }
        }

        for (int c = 0; c < seen.Length; c++)
        {
            if (seen[c] < skipPerClass + perClass)
            {
                throw new ArgumentOutOfRangeException(nameof(perClass), perClass,
                    $"Class {c} ('{ClassNames[c]}') has only {seen[c]} images, fewer than the {skipPerClass} skipped + {perClass} asked for; ask for at most {Math.Max(0, seen[c] - skipPerClass)} per class.");
            }
        }

        using var scope = NewDisposeScope();
        var index = tensor(indices.ToArray());
        return new ImageDataset(Images.index_select(0, index), Labels.index_select(0, index), ClassNames);
    }

    /// <summary>Number of images of each class.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassNames.Count];
        foreach (var l in Labels.data<long>())
        {
            counts[l]++;
        }

        return counts;
    }

    /// <summary>
    /// SHA-256 of the labels and pixels (hex): identifies the data in checkpoint fingerprints, so a resume on another
    /// data set of the same size is refused. About 0.1 s for the 50,000 training images.
    /// </summary>
    internal string ContentHash()
    {
        using var scope = NewDisposeScope();
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(Labels.cpu().contiguous().bytes);
        hash.AppendData(Images.cpu().contiguous().bytes);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
