using System.Reflection;

namespace Dwf.Robustness;

/// <summary>Library version information.</summary>
public static class DwfInfo
{
    /// <summary>The paper this library implements.</summary>
    public const string Paper = "arXiv 2512.20821";

    /// <summary>The package version of this build (e.g. <c>0.1.0</c>, or <c>0.1.0+&lt;commit&gt;</c> when built from a
    /// git checkout), read from the assembly's informational version. Write it into reports and logs so a result
    /// names the library that produced it.</summary>
    public static string Version { get; } =
        typeof(DwfInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(DwfInfo).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
