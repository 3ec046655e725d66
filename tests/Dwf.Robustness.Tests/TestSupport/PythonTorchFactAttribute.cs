using System.Diagnostics;

namespace Dwf.Robustness.Tests.TestSupport;

/// <summary>
/// A fact that runs the repository's Python mirror (python/dwf_models.py) and needs a python3 with PyTorch (Debian's
/// python3-torch). Skipped, with the reason shown, when there is none. The probe runs once per test run.
/// </summary>
internal sealed class PythonTorchFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Missing = new(Probe);

    public PythonTorchFactAttribute()
    {
        if (Missing.Value is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>Whether the test also needs the real CIFAR-10 archive (DWF_CIFAR10); skipped with the reason when it is absent.</summary>
    public bool NeedsCifar10
    {
        get => _needsCifar10;
        set
        {
            _needsCifar10 = value;
            if (value && Skip is null && Cifar10FactAttribute.Path is null)
            {
                Skip = $"Set {Cifar10FactAttribute.Variable} to the CIFAR-10 archive to run this test (.ci/run does).";
            }
        }
    }

    private bool _needsCifar10;

    /// <summary>The python3 used: $DWF_PYTHON, else /usr/bin/python3 (Debian's, where python3-torch installs).</summary>
    public static string Python => Environment.GetEnvironmentVariable("DWF_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    /// <summary>The repository's python/ folder.</summary>
    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Dwf.Robustness.sln")))
                {
                    return Path.Combine(dir.FullName, "python");
                }
            }

            throw new DirectoryNotFoundException("The repository root (Dwf.Robustness.sln) is not above the test's output folder.");
        }
    }

    /// <summary>Runs python with <paramref name="arguments"/> in <see cref="Folder"/>; returns its exit code, stdout and stderr.</summary>
    public static (int Code, string Output, string Error) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Python} {string.Join(' ', arguments)} ran longer than 5 minutes.");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    private static string? Probe()
    {
        if (!File.Exists(Python))
        {
            return $"No {Python}: install Debian's python3-torch (apt-get install python3-torch) or set DWF_PYTHON to run the Python mirror tests.";
        }

        try
        {
            var (code, _, _) = Run("-c", "import torch, numpy");
            return code == 0 ? null : $"{Python} has no PyTorch: install Debian's python3-torch (apt-get install python3-torch) to run the Python mirror tests.";
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            return $"{Python} could not be run ({e.Message}).";
        }
    }
}
