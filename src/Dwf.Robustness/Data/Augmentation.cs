using Dwf.Robustness.Infrastructure;
using static TorchSharp.torch;

namespace Dwf.Robustness.Data;

/// <summary>Standard CIFAR augmentation as batched tensor operations (no per-image loop).</summary>
public static class Augmentation
{
    /// <summary>
    /// Random crop of the zero-padded image back to its size, then a random horizontal flip with probability ½,
    /// independently per image. Random draws come from <paramref name="generator"/> (on the CPU, so the same seed
    /// gives the same crops on every device).
    /// </summary>
    /// <param name="images">float [B,C,H,W].</param>
    /// <param name="padding">Zero padding on every side (4 for CIFAR).</param>
    /// <param name="generator">A CPU generator.</param>
    /// <returns>A fresh tensor of the same shape, device and dtype.</returns>
    public static Tensor RandomCropFlip(Tensor images, int padding, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(generator);
        if (images.dim() != 4)
        {
            throw new ArgumentException($"images must be [B,C,H,W]; got shape {InputGuards.Shape(images.shape)}.", nameof(images));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        using var scope = NewDisposeScope();
        long b = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        var device = images.device;
        var result = images;
        if (padding > 0)
        {
            var padded = nn.functional.pad(images, new long[] { padding, padding, padding, padding });
            var oy = randint(0, 2 * padding + 1, new[] { b, 1 }, generator: generator).to(device);
            var ox = randint(0, 2 * padding + 1, new[] { b, 1 }, generator: generator).to(device);
            var rows = (oy + arange(h, device: device).unsqueeze(0)).view(b, 1, h, 1).expand(b, c, h, w + 2 * padding);
            var cols = (ox + arange(w, device: device).unsqueeze(0)).view(b, 1, 1, w).expand(b, c, h, w);
            result = padded.gather(2, rows).gather(3, cols);
        }

        var flip = (rand(new[] { b }, generator: generator) < 0.5).to(device).view(b, 1, 1, 1);
        result = where(flip, result.flip(3), result);
        return (ReferenceEquals(result, images) ? images.clone() : result).MoveToOuterDisposeScope();
    }
}
