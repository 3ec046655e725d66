namespace Dwf.Robustness.Tests.TestSupport;

/// <summary>
/// A fact that needs the real CIFAR-10 archive, found through the environment variable DWF_CIFAR10 (set by
/// .ci/run to ../shared/data/cifar10/cifar-10-binary.tar.gz). Skipped, with the reason shown, when absent. A relative
/// path is taken from the repository root, where the README runs <c>dotnet test</c>: the test host itself runs in
/// the build output folder, from which the README's relative path would not resolve.
/// </summary>
internal sealed class Cifar10FactAttribute : FactAttribute
{
    public const string Variable = "DWF_CIFAR10";

    public Cifar10FactAttribute()
    {
        string? path = Path;
        if (path is null)
        {
            Skip = $"Set {Variable} to the CIFAR-10 binary archive or folder to run this test (.ci/run does).";
        }
        else if (!System.IO.File.Exists(path) && !Directory.Exists(path))
        {
            Skip = $"{Variable}='{path}' does not exist.";
        }
    }

    public static string? Path => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } p ? Resolve(p) : null;

    private static string Resolve(string path)
    {
        if (System.IO.Path.IsPathRooted(path) || System.IO.File.Exists(path) || Directory.Exists(path))
        {
            return path;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "Dwf.Robustness.sln")))
            {
                return System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, path));
            }
        }

        return path;
    }
}
