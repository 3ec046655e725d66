using SkiaSharp;

namespace Dwf.Robustness.Images;

/// <summary>
/// Decodes one PNG or JPEG file to a square RGB image of bytes, channel-major ([3, size, size]). The header is read
/// first and its dimensions checked against the limits before any pixel memory is allocated; grayscale, 16-bit and
/// CMYK images are converted to 8-bit RGB by Skia; a file the decoder cannot read completely is refused.
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

        byte[] bytes = File.ReadAllBytes(path);
        using var stream = new MemoryStream(bytes, writable: false);
        using var codec = SKCodec.Create(stream, out var result);
        if (codec is null)
        {
            throw new InvalidImageException(path, $"not a PNG or JPEG image the decoder can read ({result}); remove it or convert it.");
        }

        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > options.MaxPixels)
        {
            throw new InvalidImageException(path, $"its header claims {info.Width} × {info.Height} pixels, more than ImageFolderOptions.MaxPixels ({options.MaxPixels:N0}) or none; nothing was decoded.");
        }

        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(target);
        var decoded = codec.GetPixels(target, bitmap.GetPixels());
        if (decoded != SKCodecResult.Success)
        {
            throw new InvalidImageException(path, decoded == SKCodecResult.IncompleteInput
                ? "the image data ends early (a truncated or partly written file); copy it again."
                : $"the decoder could not read the pixels ({decoded}).");
        }

        return Square(bitmap, options.Size, options.Fit);
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
