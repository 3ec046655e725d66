using SkiaSharp;

namespace Dwf.Cifar10.Tests.Data;

/// <summary>
/// A small image set in the ImageFolder layout (<c>train/&lt;class&gt;/*.png</c>, <c>test/&lt;class&gt;/*.png</c>), written
/// as real PNG files: each class a base colour with its own stripe pattern and seeded noise, so that a model can learn
/// it and the channel statistics are far from CIFAR-10's. Deleted on dispose.
/// </summary>
public sealed class GeneratedImageFolder : IDisposable
{
    private static readonly (string Name, byte R, byte G, byte B)[] Palette =
        [("circle", 210, 60, 50), ("square", 40, 190, 70), ("stripes", 60, 80, 220), ("dots", 200, 200, 40)];

    /// <summary>Writes <paramref name="classes"/> classes of <paramref name="train"/> training and <paramref name="test"/> test images of <paramref name="size"/>².</summary>
    public GeneratedImageFolder(int classes, int train, int test, int size, int seed = 0)
    {
        Root = Path.Combine(Path.GetTempPath(), "dwf-folder-" + Guid.NewGuid().ToString("N"), "shapes");
        var random = new Random(seed);
        ClassNames = Palette.Take(classes).Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        foreach (var (part, count) in new[] { ("train", train), ("test", test) })
        {
            foreach (var (name, r, g, b) in Palette.Take(classes))
            {
                string folder = Directory.CreateDirectory(Path.Combine(Root, part, name)).FullName;
                int label = Array.IndexOf(Palette.Select(p => p.Name).ToArray(), name);
                for (int i = 0; i < count; i++)
                {
                    File.WriteAllBytes(Path.Combine(folder, $"{i:D4}.png"), Png(size, label, r, g, b, random));
                }
            }
        }
    }

    /// <summary>The folder holding train/ and test/.</summary>
    public string Root { get; }

    /// <summary>The class names in label order (sorted, as the folder source reads them).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(Root)!, recursive: true);

    private static byte[] Png(int size, int label, byte r, byte g, byte b, Random random)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                bool stripe = ((label % 2 == 0 ? x : y) / (label + 2)) % 2 == 0;
                int shade = (stripe ? 30 : -30) + random.Next(-40, 41);
                bitmap.SetPixel(x, y, new SKColor(Clamp(r + shade), Clamp(g + shade), Clamp(b + shade)));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}
