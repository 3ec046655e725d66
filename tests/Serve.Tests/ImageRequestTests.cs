using Dwf.Robustness.Images;
using SkiaSharp;

namespace Dwf.Serve.Tests;

/// <summary>A served model sees a request image exactly as its training folder showed it the same file: no train/serve skew.</summary>
public class ImageRequestTests
{
    private static byte[] Encoded(int width, int height, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(width, height);
        var random = new Random(width * 31 + height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)(x * 255 / width), (byte)(y * 255 / height)));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(format, 90).ToArray();
    }

    [Theory]
    [InlineData(40, 20, SKEncodedImageFormat.Png)]   // wide: centre square, downscaled
    [InlineData(20, 36, SKEncodedImageFormat.Jpeg)]  // tall, upscaled
    [InlineData(32, 32, SKEncodedImageFormat.Png)]   // already the model's size: copied
    [InlineData(97, 64, SKEncodedImageFormat.Jpeg)]
    public void Decode_SameFileAsTrainingFolder_SamePixelsAsImageFolder(int width, int height, SKEncodedImageFormat format)
    {
        string root = Path.Combine(Path.GetTempPath(), "dwf-skew-" + Guid.NewGuid().ToString("N"));
        try
        {
            byte[] bytes = Encoded(width, height, format);
            foreach (var label in new[] { "a", "b" }) // an image set has at least two classes; the file is image 0, of class a
            {
                Directory.CreateDirectory(Path.Combine(root, label));
                File.WriteAllBytes(Path.Combine(root, label, format == SKEncodedImageFormat.Png ? "x.png" : "x.jpg"), bytes);
            }

            using var folder = ImageFolder.Load(root, new ImageFolderOptions { Size = 32 });
            using var first = folder.Dataset.Images[0];
            byte[] trained = first.data<byte>().ToArray();

            var (pixels, error) = ImageRequest.Decode(bytes, 32, 4096);

            error.Should().BeNull();
            pixels!.Select(p => (byte)Math.Round(p * 255)).Should().Equal(trained);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
