using SkiaSharp;

namespace Dwf.Robustness.Images;

/// <summary>
/// PNG or JPEG bytes to a square RGB image of bytes, channel-major ([3, size, size]): the preprocessing of
/// <c>ImageFolder</c> (training) and of a service's requests, so both give a model the same pixels. The header is
/// read first and its dimensions checked against the limits before any pixel memory is allocated; grayscale, 16-bit
/// and CMYK images are converted to 8-bit RGB by Skia; an image the decoder cannot read completely is refused.
/// </summary>
public static class SquareImage
{
    /// <summary>Largest image side accepted by default (pixels).</summary>
    public const int DefaultMaxSide = int.MaxValue;

    /// <summary>Decodes <paramref name="encoded"/>, makes it square with <paramref name="fit"/> and resizes it to <paramref name="size"/>.</summary>
    /// <param name="encoded">The PNG or JPEG bytes.</param>
    /// <param name="source">What the bytes are (a file path, "the request body"), for the exception.</param>
    /// <param name="size">Side of the square result, 1 to 4,096.</param>
    /// <param name="fit">Centre square (default) or the whole image stretched.</param>
    /// <param name="maxPixels">Most pixels (width × height) the header may claim.</param>
    /// <param name="maxSide">Longest side the header may claim.</param>
    /// <returns>[3, size, size] bytes: the red plane, then green, then blue (alpha dropped).</returns>
    /// <exception cref="InvalidImageException">Not a PNG or JPEG, over a limit, or truncated: naming <paramref name="source"/> and the reason.</exception>
    public static byte[] Decode(byte[] encoded, string source, int size, ImageFit fit = ImageFit.CentreCrop, long maxPixels = 50_000_000, int maxSide = DefaultMaxSide)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 4096);
        if (encoded.Length == 0)
        {
            throw new InvalidImageException(source, "it is empty; send or store the image's PNG or JPEG bytes.");
        }

        using var stream = new MemoryStream(encoded, writable: false);
        using var codec = SKCodec.Create(stream, out var result);
        if (codec is null)
        {
            throw new InvalidImageException(source, $"not a PNG or JPEG image the decoder can read ({result}); remove it or convert it.");
        }

        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > maxPixels)
        {
            throw new InvalidImageException(source, $"its header claims {info.Width} × {info.Height} pixels, more than the limit of {maxPixels:N0} pixels or none; nothing was decoded.");
        }

        if (info.Width > maxSide || info.Height > maxSide)
        {
            throw new InvalidImageException(source, $"the image is {info.Width}×{info.Height}; at most {maxSide}×{maxSide} pixels are accepted. Nothing was decoded.");
        }

        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(target);
        var decoded = codec.GetPixels(target, bitmap.GetPixels());
        if (decoded != SKCodecResult.Success)
        {
            throw new InvalidImageException(source, decoded == SKCodecResult.IncompleteInput
                ? "the image data ends early (a truncated or damaged file); copy it again."
                : $"the decoder could not read the pixels ({decoded}).");
        }

        return Square(bitmap, size, fit);
    }

    /// <summary>The bitmap cut or stretched to a square and resized to <paramref name="size"/>, as [3, size, size] bytes (alpha dropped).</summary>
    private static byte[] Square(SKBitmap bitmap, int size, ImageFit fit)
    {
        int side = Math.Min(bitmap.Width, bitmap.Height);
        var source = fit == ImageFit.CentreCrop
            ? SKRectI.Create((bitmap.Width - side) / 2, (bitmap.Height - side) / 2, side, side)
            : SKRectI.Create(0, 0, bitmap.Width, bitmap.Height);
        using var resized = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(resized))
        using (var image = SKImage.FromBitmap(bitmap))
        using (var paint = new SKPaint())
        {
            canvas.Clear(SKColors.Black);
            // At the same size, nearest neighbour is the identity (Mitchell's cubic filter would blur an image already of
            // the target size, e.g. every CIFAR-10 image read at 32); smaller: linear with mipmaps; larger: Mitchell.
            var sampling = source.Width == size && source.Height == size ? new SKSamplingOptions(SKFilterMode.Nearest)
                : size < side ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
                : new SKSamplingOptions(SKCubicResampler.Mitchell);
            canvas.DrawImage(image, SKRect.Create(source.Left, source.Top, source.Width, source.Height), SKRect.Create(0, 0, size, size), sampling, paint);
        }

        var rgba = resized.Bytes;
        int plane = size * size;
        var chw = new byte[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            chw[i] = rgba[4 * i];
            chw[plane + i] = rgba[4 * i + 1];
            chw[2 * plane + i] = rgba[4 * i + 2];
        }

        return chw;
    }
}
