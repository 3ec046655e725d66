namespace Dwf.Cifar10.Tests;

public class RunFolderTests
{
    [Fact]
    public void SaveOrCheck_MicroConfigWrittenBeforeTheBaselineSettings_AcceptedWithThePresetsValues()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-conf-" + Guid.NewGuid().ToString("N"));
        try
        {
            var folder = new RunFolder(run);
            var config = Presets.Create("micro", "/data", run);
            folder.SaveOrCheck(config);
            File.WriteAllLines(folder.Config, File.ReadAllLines(folder.Config).Where(l => !l.TrimStart().StartsWith("\"SoeWidth\"", StringComparison.Ordinal)));

            var same = () => folder.SaveOrCheck(config);

            config.SoeWidth.Should().NotBe(1.0, "the preset's value differs from RunConfig's default, which is what this test is about");
            same.Should().NotThrow();
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public void SaveOrCheck_ConfigRecordsASettingThisVersionLacks_RefusedNamingIt()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-conf-" + Guid.NewGuid().ToString("N"));
        try
        {
            var folder = new RunFolder(run);
            var config = Presets.Create("micro", "/data", run);
            folder.SaveOrCheck(config);
            File.WriteAllText(folder.Config, File.ReadAllText(folder.Config).Replace("{", "{\n  \"RetiredSetting\": 1,", StringComparison.Ordinal));

            var act = () => folder.SaveOrCheck(config);

            act.Should().Throw<InvalidOperationException>().WithMessage("*RetiredSetting*another version*");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public void SaveOrCheck_ConfigWrittenBeforeASettingExisted_AcceptedWithItsDefault()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-conf-" + Guid.NewGuid().ToString("N"));
        try
        {
            var folder = new RunFolder(run);
            var config = Presets.Create("cpu-small", "/data", run);
            folder.SaveOrCheck(config);
            var lines = File.ReadAllLines(folder.Config).Where(l => !l.TrimStart().StartsWith("\"SoeExperts\"", StringComparison.Ordinal)).ToArray();
            lines.Length.Should().BeLessThan(File.ReadAllLines(folder.Config).Length, "the test removes a setting an older version did not write");
            File.WriteAllLines(folder.Config, lines);

            var same = () => folder.SaveOrCheck(config);
            var other = () => folder.SaveOrCheck(config with { SoeExperts = 5 });

            same.Should().NotThrow("a missing setting takes its default");
            other.Should().Throw<InvalidOperationException>("a recorded run with the default cannot continue with another value").WithMessage("*SoeExperts*5*");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }
}
