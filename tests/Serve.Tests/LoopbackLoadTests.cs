using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using SkiaSharp;
using Xunit.Abstractions;

namespace Dwf.Serve.Tests;

/// <summary>The service on a real loopback socket (Kestrel), loaded with 2,000 requests 8 at a time: no request may fail; latency is reported, not asserted (docs/deployment.md).</summary>
public class LoopbackLoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Predict_TwoThousandRequestsEightConcurrentOnLoopback_NoErrors()
    {
        using var factory = new ServeFactory();
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = new HttpClient { BaseAddress = factory.ClientOptions.BaseAddress };
        using var bitmap = new SKBitmap(32, 32);
        bitmap.Erase(new SKColor(120, 80, 40));
        byte[] png = SKImage.FromBitmap(bitmap).Encode(SKEncodedImageFormat.Png, 100).ToArray();
        var latencies = new double[2000];
        int failures = 0;
        var total = Stopwatch.StartNew();

        await Parallel.ForAsync(0, latencies.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var clock = Stopwatch.StartNew();
            using var content = new ByteArrayContent(png);
            content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            using var response = await client.PostAsync("/predict", content, ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            latencies[i] = clock.Elapsed.TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref failures);
            }
        });

        failures.Should().Be(0);
        factory.ClientOptions.BaseAddress.IsLoopback.Should().BeTrue();
        Array.Sort(latencies);
        output.WriteLine(FormattableString.Invariant(
            $"2000 requests, 8 concurrent, loopback {factory.ClientOptions.BaseAddress}: {latencies.Length / total.Elapsed.TotalSeconds:F0} requests/s, p50 {latencies[999]:F2} ms, p99 {latencies[1979]:F2} ms, max {latencies[^1]:F2} ms"));
    }
}
