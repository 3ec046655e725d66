using SkiaSharp;

namespace Dwf.Serve;

/// <summary>
/// A request body decoded to the model's input: PNG or JPEG bytes (header checked against <see cref="ServeOptions.MaxImageSide"/>
/// before any pixel is decoded), resized to the model's square size, RGB values in [0,1] in NCHW order.
/// </summary>
public static class ImageRequest
{
    /// <summary>The image's pixels for the model, or the reason it cannot be one.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="side">The model's image side.</param>
    /// <param name="maxSide">Largest side accepted.</param>
    /// <returns>NCHW values, or an error for a 400 response.</returns>
    public static (float[]? Pixels, string? Error) Decode(byte[] body, int side, int maxSide)
    {
        if (body.Length == 0)
        {
            return (null, "The request has no body; send the image's PNG or JPEG bytes.");
        }

        using var data = SKData.CreateCopy(body);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            return (null, "The body is not a PNG or JPEG image.");
        }

        var info = codec.Info;
        if (info.Width < 1 || info.Height < 1 || info.Width > maxSide || info.Height > maxSide)
        {
            return (null, $"The image is {info.Width}×{info.Height}; at most {maxSide}×{maxSide} pixels are accepted.");
        }

        using var decoded = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var result = codec.GetPixels(decoded.Info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            return (null, $"The image could not be decoded ({result}): it is truncated or damaged.");
        }

        using var resized = decoded.Resize(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKFilterMode.Linear));
        var pixels = new float[3 * side * side];
        var bytes = resized.GetPixelSpan();
        for (int i = 0; i < side * side; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                pixels[c * side * side + i] = bytes[4 * i + c] / 255f;
            }
        }

        return (pixels, null);
    }
}
