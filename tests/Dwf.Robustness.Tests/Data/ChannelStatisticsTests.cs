using Dwf.Robustness.Data;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Data;

public class ChannelStatisticsTests
{
    [Theory]
    [InlineData(1024)]
    [InlineData(3)]
    public void Of_Uint8Images_PopulationMeanAndStdPerChannelWhateverTheChunk(int chunk)
    {
        // Channel 0: values 0 and 255 in equal numbers (mean 0.5, std 0.5); channel 1: all 51 (0.2, constant);
        // channel 2: 0, 85, 170, 255 over the four pixels of each image.
        var pixels = new byte[7 * 3 * 2 * 2];
        for (int n = 0; n < 7; n++)
        {
            for (int p = 0; p < 4; p++)
            {
                pixels[(n * 3 + 0) * 4 + p] = (byte)(p % 2 == 0 ? 0 : 255);
                pixels[(n * 3 + 1) * 4 + p] = 51;
                pixels[(n * 3 + 2) * 4 + p] = (byte)(85 * p);
            }
        }

        using var data = new ImageDataset(tensor(pixels, [7, 3, 2, 2]), zeros(7, dtype: ScalarType.Int64), ["a"]);

        var stats = ChannelStatistics.Of(data, chunk);

        stats.Mean[0].Should().BeApproximately(0.5, 1e-12);
        stats.Std[0].Should().BeApproximately(0.5, 1e-12);
        stats.Mean[1].Should().BeApproximately(0.2, 1e-12);
        stats.Std[1].Should().Be(ChannelStatistics.MinStd, "a constant channel is divided by one pixel level, not by zero");
        stats.Mean[2].Should().BeApproximately(0.5, 1e-12);
        stats.Std[2].Should().BeApproximately(Math.Sqrt(5.0 / 36), 1e-12, "population std of 0, 1/3, 2/3, 1");
    }

    [Fact]
    public void Of_FloatImages_SameAsTheirUint8Form()
    {
        manual_seed(3);
        using var bytes = randint(0, 256, [5, 3, 4, 4]).to_type(ScalarType.Byte);
        using var asBytes = new ImageDataset(bytes.clone(), zeros(5, dtype: ScalarType.Int64), ["a"]);
        using var asFloats = new ImageDataset(bytes.to_type(ScalarType.Float32).div(255), zeros(5, dtype: ScalarType.Int64), ["a"]);

        var a = ChannelStatistics.Of(asBytes);
        var b = ChannelStatistics.Of(asFloats);

        a.Mean.Zip(b.Mean).Should().OnlyContain(p => Math.Abs(p.First - p.Second) < 1e-6);
        a.Std.Zip(b.Std).Should().OnlyContain(p => Math.Abs(p.First - p.Second) < 1e-6);
    }

    [Fact]
    public void Of_EmptyDataset_ThrowsSayingSo()
    {
        using var empty = new ImageDataset(zeros([0, 3, 4, 4], dtype: ScalarType.Byte), zeros(0, dtype: ScalarType.Int64), ["a"]);

        var act = () => ChannelStatistics.Of(empty);

        act.Should().Throw<ArgumentException>().WithMessage("*at least one image*empty*");
    }
}
