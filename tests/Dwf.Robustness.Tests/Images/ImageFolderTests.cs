using Dwf.Robustness.Images;
using SkiaSharp;

namespace Dwf.Robustness.Tests.Images;

public sealed class ImageFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dwf-images-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Class(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    private static byte[] Encoded(int width, int height, SKColor colour, SKEncodedImageFormat format, SKColorType type = SKColorType.Rgba8888)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, type, SKAlphaType.Opaque));
        bitmap.Erase(colour);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 95);
        return data.ToArray();
    }

    private void ValidSecondClass() => File.WriteAllBytes(Path.Combine(Class("zz"), "ok.png"), Encoded(8, 8, SKColors.White, SKEncodedImageFormat.Png));

    [Fact]
    public void Load_PngAndJpegInTwoFolders_LabelsFromSortedNamesAndCentreSquare()
    {
        // A 40×20 image: red centre square, green bands left and right that the centre crop removes.
        using (var bitmap = new SKBitmap(new SKImageInfo(40, 20, SKColorType.Rgba8888, SKAlphaType.Opaque)))
        {
            bitmap.Erase(SKColors.Lime);
            using (var canvas = new SKCanvas(bitmap))
            using (var paint = new SKPaint { Color = SKColors.Red })
            {
                canvas.DrawRect(10, 0, 20, 20, paint);
            }

            using var image = SKImage.FromBitmap(bitmap);
            File.WriteAllBytes(Path.Combine(Class("b-red"), "wide.png"), image.Encode(SKEncodedImageFormat.Png, 100).ToArray());
        }

        File.WriteAllBytes(Path.Combine(Class("a-blue"), "square.jpg"), Encoded(16, 16, SKColors.Blue, SKEncodedImageFormat.Jpeg));

        using var set = ImageFolder.Load(_root, new ImageFolderOptions { Size = 8 });

        set.Dataset.ClassNames.Should().Equal("a-blue", "b-red");
        set.Dataset.Labels.data<long>().ToArray().Should().Equal(0, 1);
        set.Files.Select(Path.GetFileName).Should().Equal("square.jpg", "wide.png");
        var pixels = set.Dataset.Images.data<byte>().ToArray();
        set.Dataset.Images.shape.Should().Equal(2, 3, 8, 8);
        int plane = 64;
        pixels.Skip(3 * plane).Take(plane).Should().OnlyContain(v => v > 240, "the red channel of the centre crop is red everywhere");
        pixels.Skip(4 * plane).Take(plane).Should().OnlyContain(v => v < 15, "no green band survives the centre crop");
        pixels.Skip(2 * plane).Take(plane).Should().OnlyContain(v => v > 230, "the JPEG is blue");
    }

    [Fact]
    public void Load_TruncatedPng_ThrowsNamingTheFile()
    {
        ValidSecondClass();
        var whole = Encoded(64, 64, SKColors.Orange, SKEncodedImageFormat.Png);
        string path = Path.Combine(Class("a"), "cut.png");
        File.WriteAllBytes(path, whole.Take(whole.Length / 2).ToArray());

        var act = () => ImageFolder.Load(_root);

        act.Should().Throw<InvalidImageException>().Where(e => e.Path == path);
    }

    [Fact]
    public void Load_PngClaiming100000By100000Pixels_RefusedBeforeDecoding()
    {
        ValidSecondClass();
        string path = Path.Combine(Class("a"), "huge.png");
        File.WriteAllBytes(path, PngWriter.Png(100_000, 100_000, 8, 2, [new byte[3]]));
        long before = GC.GetTotalAllocatedBytes(precise: true);

        var act = () => ImageFolder.Load(_root);

        act.Should().Throw<InvalidImageException>().Where(e => e.Path == path).WithMessage("*100000 × 100000*");
        (GC.GetTotalAllocatedBytes(precise: true) - before).Should().BeLessThan(64L << 20, "nothing of the claimed 30 GB is allocated");
    }

    [Fact]
    public void Load_TextFileWithPngExtension_ThrowsNamingTheFile()
    {
        ValidSecondClass();
        string path = Path.Combine(Class("a"), "notes.png");
        File.WriteAllText(path, "not an image at all");

        var act = () => ImageFolder.Load(_root);

        act.Should().Throw<InvalidImageException>().Where(e => e.Path == path).WithMessage("*not a PNG or JPEG*");
    }

    [Fact]
    public void ClassNames_FolderNameWithALineBreak_RefusedNamingTheFolderBeforeAnyImageIsRead()
    {
        ValidSecondClass();
        string folder = Class("a\nb");
        File.WriteAllBytes(Path.Combine(folder, "ok.png"), Encoded(8, 8, SKColors.Gray, SKEncodedImageFormat.Png));

        var names = () => ImageFolder.ClassNames(_root);
        var load = () => ImageFolder.Load(_root);

        names.Should().Throw<InvalidImageException>().Where(e => e.Path == folder).WithMessage("*'a\\u000ab'*control character*Rename the folder*");
        load.Should().Throw<InvalidImageException>().Where(e => e.Path == folder);
    }

    [Fact]
    public void ClassNames_FolderNameAllWhiteSpace_RefusedNamingTheFolder()
    {
        ValidSecondClass();
        string folder = Class("  ");
        File.WriteAllBytes(Path.Combine(folder, "ok.png"), Encoded(8, 8, SKColors.Gray, SKEncodedImageFormat.Png));

        var names = () => ImageFolder.ClassNames(_root);

        names.Should().Throw<InvalidImageException>().Where(e => e.Path == folder).WithMessage("*'  ' is not a class name*not all white space*Rename the folder*");
    }

    [Fact]
    public void Load_FolderLinkLoop_ThrowsNamingTheLink()
    {
        ValidSecondClass();
        string folder = Class("a");
        File.WriteAllBytes(Path.Combine(folder, "ok.png"), Encoded(8, 8, SKColors.Gray, SKEncodedImageFormat.Png));
        string link = Path.Combine(folder, "again");
        Directory.CreateSymbolicLink(link, folder);

        var act = () => ImageFolder.Load(_root);

        act.Should().Throw<InvalidImageException>().Where(e => e.Path == link).WithMessage("*loop*");
    }

    [Fact]
    public void Load_EmptyClassFolder_ThrowsNamingIt()
    {
        ValidSecondClass();
        string empty = Class("a");

        var act = () => ImageFolder.Load(_root);

        act.Should().Throw<InvalidImageException>().Where(e => e.Path == empty).WithMessage("*no .png/.jpg/.jpeg file*");
    }

    [Fact]
    public void Load_GrayscaleAnd16BitPng_BecomeEightBitRgb()
    {
        File.WriteAllBytes(Path.Combine(Class("gray"), "g.png"), Encoded(8, 8, new SKColor(100, 100, 100), SKEncodedImageFormat.Png, SKColorType.Gray8));
        // 16-bit RGB, every sample 0xC000 (0.75): 8-bit 191 or 192.
        var row = Enumerable.Range(0, 4 * 3).SelectMany(_ => new byte[] { 0xC0, 0x00 }).ToArray();
        File.WriteAllBytes(Path.Combine(Class("wide"), "w.png"), PngWriter.Png(4, 4, 16, 2, Enumerable.Repeat(row, 4).ToArray()));

        using var set = ImageFolder.Load(_root, new ImageFolderOptions { Size = 4 });

        var pixels = set.Dataset.Images.data<byte>().ToArray();
        pixels.Take(48).Should().OnlyContain(v => v >= 98 && v <= 102, "gray 100 in all three channels");
        pixels.Skip(48).Should().OnlyContain(v => v == 191 || v == 192, "0xC000 of 0xFFFF is 191.25 of 255");
    }

    [Fact]
    public void Load_PngAlreadyOfTheTargetSize_EveryPixelUnchanged()
    {
        // A 32×32 image read at 32 (a CIFAR-10 image as a file) must come back exactly: no resampling filter may run.
        var random = new Random(4);
        var written = new byte[32 * 32 * 3];
        random.NextBytes(written);
        using (var bitmap = new SKBitmap(new SKImageInfo(32, 32, SKColorType.Rgba8888, SKAlphaType.Opaque)))
        {
            var pixels = bitmap.GetPixelSpan();
            for (int p = 0; p < 32 * 32; p++)
            {
                (pixels[4 * p], pixels[4 * p + 1], pixels[4 * p + 2], pixels[4 * p + 3]) = (written[3 * p], written[3 * p + 1], written[3 * p + 2], 255);
            }

            using var image = SKImage.FromBitmap(bitmap);
            File.WriteAllBytes(Path.Combine(Class("a"), "x.png"), image.Encode(SKEncodedImageFormat.Png, 100).ToArray());
        }

        ValidSecondClass();

        using var set = ImageFolder.Load(_root, new ImageFolderOptions { Size = 32 });

        var read = set.Dataset.Images[0].permute(1, 2, 0).contiguous().data<byte>().ToArray(); // HWC
        read.Should().Equal(written);
    }

    /// <summary>An 8×8 CMYK JPEG (Adobe APP14, written once by Pillow 9.4 and committed: SkiaSharp encodes no CMYK) of pure red, C=0 M=255 Y=255 K=0.</summary>
    private static string CmykFixture => Path.GetFullPath(Path.Combine(Dwf.Robustness.Tests.TestSupport.PythonTorchFactAttribute.Folder, "..", "tests", "Dwf.Robustness.Tests", "Images", "Fixtures", "red-cmyk.jpg"));

    [Fact]
    public void Load_CmykJpeg_BecomesEightBitRgbOfTheSameColour()
    {
        ValidSecondClass();
        File.Copy(CmykFixture, Path.Combine(Class("a-cmyk"), "red.jpg"));

        using var set = ImageFolder.Load(_root, new ImageFolderOptions { Size = 8 });

        var red = set.Dataset.Images[0];
        red.shape.Should().Equal(3, 8, 8);
        red[0].data<byte>().ToArray().Should().OnlyContain(v => v >= 200, "the red channel of pure red");
        red[1].data<byte>().ToArray().Concat(red[2].data<byte>().ToArray()).Should().OnlyContain(v => v <= 60, "no green or blue in pure red");
    }

    [Fact]
    public void Load_FileOverTheByteLimit_RefusedWithoutReading()
    {
        ValidSecondClass();
        string path = Path.Combine(Class("a"), "big.png");
        File.WriteAllBytes(path, Encoded(64, 64, SKColors.Orange, SKEncodedImageFormat.Png));

        var act = () => ImageFolder.Load(_root, new ImageFolderOptions { MaxFileBytes = 10 });

        act.Should().Throw<InvalidImageException>().Where(e => e.Path == path).WithMessage("*MaxFileBytes*");
    }
}
