using Microsoft.Extensions.Logging.Testing;

namespace Dwf.Robustness.Tests.TestSupport;

/// <summary>The formatted messages a <see cref="FakeLogger"/> (Microsoft.Extensions.Diagnostics.Testing) collected.</summary>
internal static class FakeLoggerLines
{
    public static IReadOnlyList<string> Lines(this FakeLogger logger) =>
        logger.Collector.GetSnapshot().Select(r => r.Message).ToList();
}
