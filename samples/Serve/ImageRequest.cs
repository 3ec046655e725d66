using Dwf.Robustness.Images;

namespace Dwf.Serve;

/// <summary>
/// A request body decoded to the model's input with the preprocessing the model was trained with
/// (<see cref="SquareImage.Decode"/>, shared with <c>ImageFolder</c>: the same crop, resampling and colour conversion),
/// header checked against <see cref="ServeOptions.MaxImageSide"/> before any pixel is decoded; RGB values in [0,1] in
/// NCHW order.
/// </summary>
public static class ImageRequest
{
    /// <summary>The image's pixels for the model, or the reason it cannot be one.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="side">The model's image side.</param>
    /// <param name="maxSide">Largest side accepted.</param>
    /// <param name="fit">How a non-square image is made square: as the model's training images were (ImageFolder's default: centre crop).</param>
    /// <returns>NCHW values, or an error for a 400 response.</returns>
    public static (float[]? Pixels, string? Error) Decode(byte[] body, int side, int maxSide, ImageFit fit = ImageFit.CentreCrop)
    {
        if (body.Length == 0)
        {
            return (null, "The request has no body; send the image's PNG or JPEG bytes.");
        }

        byte[] chw;
        try
        {
            chw = SquareImage.Decode(body, "the request body", side, fit, maxPixels: (long)maxSide * maxSide, maxSide: maxSide);
        }
        catch (InvalidImageException e)
        {
            return (null, e.Message);
        }

        var pixels = new float[chw.Length];
        for (int i = 0; i < chw.Length; i++)
        {
            pixels[i] = chw[i] / 255f;
        }

        return (pixels, null);
    }
}
