using System.Diagnostics;
using Dwf.Robustness.Data;
using Dwf.Robustness.Images;
using SkiaSharp;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// An image folder of N CIFAR-10 test images written as PNG files (class-per-folder, once), then read back with
/// <see cref="ImageFolder.Load"/>: seconds, images per second, the process's peak working set, and whether every pixel
/// equals the archive's (PNG is lossless and the images are already 32×32, so nothing may change).
/// </summary>
internal static class ImageFolderWorkload
{
    public static void Run(string archive, string folder, int n)
    {
        using var test = Cifar10Reader.Load(archive, Cifar10Split.Test);
        n = Math.Min(n, test.Count);
        if (!Directory.Exists(folder))
        {
            var clock = Stopwatch.StartNew();
            var images = test.Images.narrow(0, 0, n).permute(0, 2, 3, 1).contiguous().data<byte>().ToArray(); // NHWC
            var labels = test.Labels.narrow(0, 0, n).data<long>().ToArray();
            foreach (var name in test.ClassNames)
            {
                Directory.CreateDirectory(Path.Combine(folder, name));
            }

            for (int i = 0; i < n; i++)
            {
                using var bitmap = new SKBitmap(new SKImageInfo(32, 32, SKColorType.Rgba8888, SKAlphaType.Opaque));
                var pixels = bitmap.GetPixelSpan();
                for (int p = 0; p < 32 * 32; p++)
                {
                    pixels[4 * p] = images[(i * 1024 + p) * 3];
                    pixels[4 * p + 1] = images[(i * 1024 + p) * 3 + 1];
                    pixels[4 * p + 2] = images[(i * 1024 + p) * 3 + 2];
                    pixels[4 * p + 3] = 255;
                }

                using var image = SKImage.FromBitmap(bitmap);
                using var data = image.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(folder, test.ClassNames[(int)labels[i]], $"{i:D5}.png"), data.ToArray());
            }

            Console.WriteLine($"wrote {n} PNG files to {folder} in {clock.Elapsed.TotalSeconds:F1} s");
        }

        var load = Stopwatch.StartNew();
        using var set = ImageFolder.Load(folder);
        double seconds = load.Elapsed.TotalSeconds;
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        // Files are read class by class in sorted order; match each to its archive image by its index in the file name.
        var index = set.Files.Select(f => int.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        using var expected = test.Images.index_select(0, tensor(index.Select(i => (long)i).ToArray()));
        bool same = set.Dataset.Images.shape.SequenceEqual(expected.shape) && set.Dataset.Images.ne(expected).sum().item<long>() == 0;
        Console.WriteLine($"ImageFolder.Load: {set.Dataset.Count} images, {set.Dataset.ClassNames.Count} classes in {seconds:F2} s ({set.Dataset.Count / seconds:F0} images/s); " +
                          $"peak working set {peak / 1e6:F0} MB; every pixel equal to the archive's: {same}");
    }
}
