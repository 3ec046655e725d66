namespace Dwf.Robustness.Images;

/// <summary>
/// An image (a file, a request body) or an image-set folder that cannot be used: not an image, truncated, too large, an empty class folder, a
/// folder loop. <see cref="Path"/> names it; the message says what is wrong and what to do.
/// </summary>
public sealed class InvalidImageException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file or folder (or what the bytes were, e.g. "the request body").</param>
    /// <param name="message">What is wrong with it, and the fix.</param>
    /// <param name="inner">The decoder's or file system's exception, if any.</param>
    public InvalidImageException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        Path = path;
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }
}
