namespace Dwf.Cifar10.Tests;

public class DataProvenanceTests
{
    [Fact]
    public void Describe_ArchiveWithJpegReadme_SaysJpegDerived_OtherwiseItsMd5()
    {
        string dir = Path.Combine(Path.GetTempPath(), "dwf-prov-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string archive = Path.Combine(dir, "cifar-10-binary.tar.gz");
            File.WriteAllBytes(archive, [1, 2, 3]);

            DataProvenance.Describe(archive).Should().Be("CIFAR-10 (not the official archive: md5 5289df737df57326fcdd22597afb1fac)");
            File.WriteAllText(Path.Combine(dir, "README.md"), "Say \"CIFAR-10 (JPEG-derived copy)\" when you report them.");
            DataProvenance.Describe(archive).Should().Be("CIFAR-10 (JPEG-derived copy)");
            DataProvenance.Describe(dir).Should().StartWith("CIFAR-10 (extracted folder");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
