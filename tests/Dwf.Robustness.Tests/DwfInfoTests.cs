using System.Text.RegularExpressions;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests;

public class DwfInfoTests
{
    [Fact]
    public void Version_OfThisBuild_IsTheRepositoryPackageVersion()
    {
        string props = File.ReadAllText(Path.Combine(PythonTorchFactAttribute.Folder, "..", "Directory.Build.props"));
        string expected = Regex.Match(props, "<DwfVersion>([^<]+)</DwfVersion>").Groups[1].Value;

        expected.Should().NotBeEmpty("Directory.Build.props sets DwfVersion");
        DwfInfo.Version.Should().MatchRegex($"^{Regex.Escape(expected)}(\\+[0-9a-f]+)?$", "the package version, optionally with the commit SourceLink adds");
    }
}
