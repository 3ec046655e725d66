namespace Dwf.Cifar10.Data;

/// <summary>Picks the data source of a <c>--data</c> path by what is there.</summary>
public static class DataSources
{
    /// <summary>
    /// A folder with <c>train</c> and <c>test</c> sub-folders is an <see cref="ImageFolderSource"/> read at
    /// <paramref name="imageSize"/>; anything else is CIFAR-10 (the archive or its extracted folder).
    /// </summary>
    /// <param name="path">The <c>--data</c> path.</param>
    /// <param name="imageSize">Side of the images of a folder source (<see cref="RunConfig.ImageSize"/>); CIFAR-10 is 32 × 32 as stored.</param>
    /// <exception cref="ArgumentException">An image size for CIFAR-10 other than its own.</exception>
    public static IDataSource Open(string path, int? imageSize)
    {
        if (ImageFolderSource.IsLayout(path))
        {
            return new ImageFolderSource(path, imageSize ?? RunConfig.DefaultImageSize);
        }

        if (imageSize is { } size && size != 32)
        {
            throw new ArgumentException(
                $"ImageSize {size} is for image folders; '{path}' is CIFAR-10, whose images are 32×32. Remove --set ImageSize, or point --data at a folder with train/ and test/ class sub-folders.");
        }

        return new Cifar10Source(path);
    }
}
