using Dwf.Robustness.Data;
using static TorchSharp.torch;

namespace Dwf.Robustness.Images;

/// <summary>
/// A class-per-folder image set (<c>root/cat/*.png</c>, <c>root/dog/*.jpg</c>, …, as torchvision's ImageFolder) read
/// into an <see cref="ImageDataset"/>: the classes are the sub-folders' names sorted ordinally (label = index), every
/// PNG or JPEG is decoded with SkiaSharp (Skia is the decoder of Chrome and Android, fuzzed continuously, and its header
/// is read before any pixel memory is allocated), made square and resized to <see cref="ImageFolderOptions.Size"/>,
/// and held as uint8 [N,3,S,S] in memory. A file that cannot be used stops the load with an
/// <see cref="InvalidImageException"/> naming it.
/// </summary>
public static class ImageFolder
{
    /// <summary>The class names of the image set under <paramref name="root"/> (its sub-folders, sorted ordinally), without decoding any image.</summary>
    /// <param name="root">The folder with one sub-folder per class.</param>
    /// <param name="options">Extensions and limits; defaults when null.</param>
    /// <exception cref="InvalidImageException">A folder that cannot be used (no classes, an empty class, a link loop, a folder name with a control character or over 256 characters).</exception>
    public static IReadOnlyList<string> ClassNames(string root, ImageFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        options ??= new ImageFolderOptions();
        options.Validate();
        return FolderScan.Scan(root, options).Classes;
    }

    /// <summary>Reads the image set under <paramref name="root"/>.</summary>
    /// <param name="root">The folder with one sub-folder per class.</param>
    /// <param name="options">Size and limits; defaults when null.</param>
    /// <param name="progress">Images read so far, after every image.</param>
    /// <param name="cancellationToken">Checked between images.</param>
    /// <returns>The dataset and the file of every image, in dataset order; the caller disposes it.</returns>
    /// <exception cref="InvalidImageException">A file or folder that cannot be used.</exception>
    public static ImageFolderData Load(string root, ImageFolderOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        options ??= new ImageFolderOptions();
        options.Validate();
        var (classes, files) = FolderScan.Scan(root, options);
        long plane = 3L * options.Size * options.Size;
        if (plane * files.Count > int.MaxValue)
        {
            throw new InvalidImageException(root, $"{files.Count:N0} images of {options.Size}×{options.Size} need {plane * files.Count:N0} bytes, more than one in-memory set holds; use a smaller size or split the folder.");
        }

        var pixels = new byte[plane * files.Count];
        var labels = new long[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ImageDecoder.Decode(files[i].File, options).CopyTo(pixels, plane * i);
            labels[i] = files[i].Label;
            progress?.Report(i + 1);
        }

        using var scope = NewDisposeScope();
        var images = tensor(pixels, [files.Count, 3, options.Size, options.Size]);
        var dataset = new ImageDataset(images.DetachFromDisposeScope(), tensor(labels).DetachFromDisposeScope(), classes);
        return new ImageFolderData(dataset, files.Select(f => f.File).ToList());
    }
}

/// <summary>An image set read by <see cref="ImageFolder.Load"/>: the dataset (which owns the tensors) and where every image came from.</summary>
/// <param name="Dataset">uint8 images [N,3,S,S] with labels; class names are the folder names.</param>
/// <param name="Files">The file of image i, in dataset order.</param>
public sealed record ImageFolderData(ImageDataset Dataset, IReadOnlyList<string> Files) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Dataset.Dispose();
}
