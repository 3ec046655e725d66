namespace Dwf.Robustness.Images;

/// <summary>How <see cref="ImageFolder.Load"/> reads a class-per-folder image set.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Side of the square images produced (32 for CIFAR-sized experts).</summary>
    public int Size { get; init; } = 32;

    /// <summary>How a non-square image becomes square: its centre square is cut out (default), or it is stretched.</summary>
    public ImageFit Fit { get; init; } = ImageFit.CentreCrop;

    /// <summary>Files larger than this are refused before they are read (bytes; default 64 MiB).</summary>
    public long MaxFileBytes { get; init; } = 64L << 20;

    /// <summary>Images whose header claims more pixels than this are refused before anything is decoded (default 50 megapixels).</summary>
    public long MaxPixels { get; init; } = 50_000_000;

    /// <summary>File extensions read, case-insensitive; other files are ignored.</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [".png", ".jpg", ".jpeg"];

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or limit out of range.</exception>
    public void Validate()
    {
        if (Size is < 1 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(Size), Size, "The image side must be in [1, 4096] pixels (32 for CIFAR-sized experts).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFileBytes, 1, nameof(MaxFileBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPixels, 1, nameof(MaxPixels));
        if (Extensions is null || Extensions.Count == 0 || Extensions.Any(e => string.IsNullOrEmpty(e) || e[0] != '.'))
        {
            throw new ArgumentException("Extensions must list at least one extension, each starting with '.', e.g. \".png\".", nameof(Extensions));
        }
    }
}
