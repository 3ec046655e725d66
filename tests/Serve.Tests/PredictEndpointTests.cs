using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using SkiaSharp;

namespace Dwf.Serve.Tests;

public class PredictEndpointTests(ServeFactory factory) : IClassFixture<ServeFactory>
{
    private static byte[] Png(int width, int height, byte seed = 7)
    {
        using var bitmap = new SKBitmap(width, height);
        var random = new Random(seed);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Png, 100).ToArray();
    }

    private async Task<HttpResponseMessage> Post(byte[] body)
    {
        using var client = factory.CreateClient();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return await client.PostAsync("/predict", content);
    }

    [Fact]
    public async Task Predict_Png_ClassProbabilitiesAndAGateWeightPerExpert()
    {
        using var response = await Post(Png(40, 30));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var answer = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
        answer.Probabilities.Should().HaveCount(4);
        answer.Probabilities.Sum().Should().BeApproximately(1f, 1e-4f);
        answer.Class.Should().Be(ServeFactory.Classes[answer.Label]);
        answer.GateWeights!.Keys.Should().Equal("clean-1", "fgsm-1", "pgd-1");
        answer.GateWeights.Values.Sum().Should().BeApproximately(1f, 1e-4f);
    }

    [Fact]
    public async Task Predict_SameImageTwice_SameAnswer()
    {
        byte[] png = Png(16, 16, seed: 3);
        var first = await (await Post(png)).Content.ReadFromJsonAsync<PredictResponse>();
        var second = await (await Post(png)).Content.ReadFromJsonAsync<PredictResponse>();

        second!.Probabilities.Should().Equal(first!.Probabilities);
    }

    [Fact]
    public async Task Predict_NotAnImage_400SayingSo()
    {
        using var response = await Post("this is not an image"u8.ToArray());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("not a PNG or JPEG");
    }

    [Fact]
    public async Task Predict_TruncatedPng_400SayingItIsDamaged()
    {
        byte[] png = Png(64, 64);

        using var response = await Post(png[..(png.Length / 2)]);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("truncated or damaged");
    }

    [Fact]
    public async Task Predict_ValidPngWiderThanTheSideLimit_400NamingTheLimit()
    {
        using var response = await Post(Png(1100, 4)); // the factory sets Serve:MaxImageSide to 1024

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("1100×4").And.Contain("at most 1024×1024");
    }

    [Fact]
    public async Task Predict_PngHeaderClaiming100000SquareWithABadChecksum_400()
    {
        byte[] png = Png(8, 8);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 100_000); // IHDR width
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 100_000); // IHDR height (the CRC no longer matches, as in a hostile file)

        using var response = await Post(png);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Predict_BodyOverTheLimit_413()
    {
        using var response = await Post(new byte[ServeFactory.MaxRequestBytes + 1]);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Predict_EmptyBody_400()
    {
        using var response = await Post([]);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("no body");
    }

    [Fact]
    public async Task Health_DescribesTheModel()
    {
        using var client = factory.CreateClient();

        var health = await client.GetFromJsonAsync<Health>("/health");

        health!.Should().BeEquivalentTo(new Health(4, ["clean-1", "fgsm-1", "pgd-1"], true, 16));
    }

    [Fact]
    public async Task Predict_FourHundredRequestsEightAtATime_NoErrors()
    {
        using var client = factory.CreateClient();
        var images = Enumerable.Range(0, 8).Select(i => Png(24, 24, (byte)i)).ToArray();
        int failures = 0;

        await Parallel.ForAsync(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var content = new ByteArrayContent(images[i % images.Length]);
            using var response = await client.PostAsync("/predict", content, ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref failures);
            }
        });

        failures.Should().Be(0);
    }
}
