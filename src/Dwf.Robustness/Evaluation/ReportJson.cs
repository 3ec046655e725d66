using System.Text.Json;
using System.Text.Json.Serialization;
using Dwf.Robustness.Infrastructure;

namespace Dwf.Robustness.Evaluation;

/// <summary>Reads and writes <see cref="RobustnessReport"/> as JSON (camelCase, indented; NaN written as "NaN"). Schema: docs/evaluation.md.</summary>
public static class ReportJson
{
    /// <summary>The serializer settings of the schema.</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The report as JSON text.</summary>
    /// <param name="report">The report.</param>
    public static string Serialize(RobustnessReport report) => JsonSerializer.Serialize(report, SerializerOptions);

    /// <summary>Parses JSON written by <see cref="Serialize"/>.</summary>
    /// <param name="json">The text.</param>
    /// <exception cref="InvalidDataException">Not a report, or a schema version this library does not know.</exception>
    public static RobustnessReport Deserialize(string json)
    {
        RobustnessReport? report;
        try
        {
            report = JsonSerializer.Deserialize<RobustnessReport>(json, SerializerOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Not a robustness report: {e.Message}", e);
        }

        if (report is null || report.SchemaVersion != RobustnessReport.CurrentSchemaVersion)
        {
            throw new InvalidDataException(
                $"Unsupported report schema version {report?.SchemaVersion}; this library reads version {RobustnessReport.CurrentSchemaVersion}.");
        }

        return report;
    }

    /// <summary>Writes the report to <paramref name="path"/> atomically.</summary>
    /// <param name="report">The report.</param>
    /// <param name="path">Destination.</param>
    public static void Write(RobustnessReport report, string path) => AtomicFile.WriteAllText(path, Serialize(report));

    /// <summary>Reads a report file.</summary>
    /// <param name="path">The file.</param>
    public static RobustnessReport Read(string path) => Deserialize(File.ReadAllText(path));
}
