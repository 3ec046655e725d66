namespace Dwf.Cifar10.Tests.Commands;

public class RunContextTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    public async Task Execute_ThreadsBelowOne_RefusedNamingTheOptionBeforeAnythingIsWritten(string threads)
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-threads-" + Guid.NewGuid().ToString("N"));
        var error = new StringWriter();
        var before = Console.Error;
        Console.SetError(error);
        try
        {
            int code = await Cli.RunAsync(["reproduce", "--preset", "micro", "--data", Path.GetTempPath(), "--run", run, "--threads", threads]);

            code.Should().Be(1);
            error.ToString().Should().Contain($"--threads must be ≥ 1").And.Contain($"got {threads}");
            Directory.Exists(run).Should().BeFalse("nothing is written for a command that cannot run");
        }
        finally
        {
            Console.SetError(before);
        }
    }
}
