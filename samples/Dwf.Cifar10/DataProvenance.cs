using System.Security.Cryptography;
using Dwf.Robustness.Data;

namespace Dwf.Cifar10;

/// <summary>
/// Says which CIFAR-10 a run read, for its reports: the official archive (md5 checked), a copy whose README beside it
/// calls it JPEG-derived, or another copy named by its md5 — instead of one description written into every report.
/// </summary>
public static class DataProvenance
{
    /// <summary>A short description of the data at <paramref name="path"/> (an archive or an extracted folder).</summary>
    public static string Describe(string path)
    {
        if (Directory.Exists(path))
        {
            return "CIFAR-10 (extracted folder; not checked against the official archive)";
        }

        string md5;
        using (var stream = File.OpenRead(path))
        {
            md5 = Convert.ToHexStringLower(MD5.HashData(stream));
        }

        if (string.Equals(md5, Cifar10Format.ArchiveMd5, StringComparison.OrdinalIgnoreCase))
        {
            return "CIFAR-10 (official archive)";
        }

        string? readme = Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir ? Path.Combine(dir, "README.md") : null;
        return readme is not null && File.Exists(readme) && File.ReadAllText(readme).Contains("JPEG-derived", StringComparison.OrdinalIgnoreCase)
            ? "CIFAR-10 (JPEG-derived copy)"
            : $"CIFAR-10 (not the official archive: md5 {md5})";
    }
}
