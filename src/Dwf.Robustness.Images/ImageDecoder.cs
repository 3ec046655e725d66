namespace Dwf.Robustness.Images;

/// <summary>
/// One image file of a folder to [3, size, size] bytes: the file's size checked against
/// <see cref="ImageFolderOptions.MaxFileBytes"/> before it is read, then <see cref="SquareImage.Decode"/> (the
/// preprocessing a service shares, Dwf.Robustness.Images.Decoding).
/// </summary>
internal static class ImageDecoder
{
    public static byte[] Decode(string path, ImageFolderOptions options)
    {
        var file = new FileInfo(path);
        if (file.Length > options.MaxFileBytes)
        {
            throw new InvalidImageException(path, $"{file.Length:N0} bytes is larger than ImageFolderOptions.MaxFileBytes ({options.MaxFileBytes:N0}); raise the limit if the file is genuine.");
        }

        return SquareImage.Decode(File.ReadAllBytes(path), path, options.Size, options.Fit, options.MaxPixels);
    }
}
