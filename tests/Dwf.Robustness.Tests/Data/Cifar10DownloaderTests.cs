using System.Net;
using System.Security.Cryptography;
using Dwf.Robustness.Data;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Data;

public class Cifar10DownloaderTests
{
    private sealed class FakeHandler(Func<HttpResponseMessage> respond) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(respond());
    }

    private sealed class OfflineHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("Name or service not known");
    }

    [Fact]
    public async Task EnsureArchiveAsync_Offline_ThrowsIOExceptionSayingWhereToPutFile()
    {
        using var dir = new TempDirectory();
        using var client = new HttpClient(new OfflineHandler());
        string target = dir.File("cifar-10-binary.tar.gz");

        var act = () => Cifar10Downloader.EnsureArchiveAsync(target, client);

        await act.Should().ThrowAsync<IOException>().WithMessage($"*put it at '{target}'*");
        File.Exists(target).Should().BeFalse();
        Directory.GetFiles(dir.Path).Should().BeEmpty("no partial file may be left behind");
    }

    [Fact]
    public async Task EnsureArchiveAsync_WrongMd5_DiscardsFile()
    {
        using var dir = new TempDirectory();
        using var client = new HttpClient(new FakeHandler(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([1, 2, 3]) }));
        string target = dir.File("cifar-10-binary.tar.gz");

        var act = () => Cifar10Downloader.EnsureArchiveAsync(target, client);

        await act.Should().ThrowAsync<InvalidDataException>().WithMessage("*expected c32a1d4ab5d03f1284b67883e8d87530*");
        Directory.GetFiles(dir.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task EnsureArchiveAsync_MatchingMd5_MovesFileIntoPlace()
    {
        using var dir = new TempDirectory();
        byte[] payload = [9, 8, 7, 6];
        string md5 = Convert.ToHexStringLower(MD5.HashData(payload));
        using var client = new HttpClient(new FakeHandler(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(payload) }));
        string target = dir.File("cifar-10-binary.tar.gz");

        string result = await Cifar10Downloader.EnsureArchiveAsync(target, client, expectedMd5: md5);

        result.Should().Be(target);
        File.ReadAllBytes(target).Should().Equal(payload);
        Directory.GetFiles(dir.Path).Should().ContainSingle();
    }

    [Fact]
    public async Task EnsureArchiveAsync_FileExists_DoesNotDownload()
    {
        using var dir = new TempDirectory();
        string target = dir.File("cifar-10-binary.tar.gz");
        File.WriteAllBytes(target, [1]);
        using var client = new HttpClient(new OfflineHandler());

        (await Cifar10Downloader.EnsureArchiveAsync(target, client)).Should().Be(target);
    }
}
