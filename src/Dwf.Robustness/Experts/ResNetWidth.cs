namespace Dwf.Robustness.Experts;

/// <summary>The width rule both CIFAR ResNet-18 variants share: stage channels 64/128/256/512 × the multiplier.</summary>
internal static class ResNetWidth
{
    /// <summary>Checks the class count and the multiplier, then returns the four stage widths.</summary>
    /// <param name="numClasses">Output classes (≥ 2).</param>
    /// <param name="width">Multiplier in (0, 16].</param>
    /// <param name="network">The network's name, for the message.</param>
    public static long[] Planes(int numClasses, double width, string network)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 2);
        if (!(width > 0) || width > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"The width multiplier must be in (0, 16]; 1.0 is the standard {network}.");
        }

        return [Channels(64, width), Channels(128, width), Channels(256, width), Channels(512, width)];
    }

    private static long Channels(int baseChannels, double width) => Math.Max(1, (long)Math.Round(baseChannels * width));
}
