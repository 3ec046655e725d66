using Microsoft.Extensions.Logging;

namespace Dwf.Cifar10;

/// <summary>Appends log lines with a UTC timestamp to the run's log.txt (the library only logs; the sample decides where).</summary>
public sealed class FileLogger(string path) : ILogger
{
    private readonly object _gate = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        lock (_gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.AppendAllText(path, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} {logLevel,-11} {formatter(state, exception)}{Environment.NewLine}");
        }
    }

    public void Info(string message) => Log(LogLevel.Information, default, message, null, (s, _) => s);
}
