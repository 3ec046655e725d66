using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dwf.Robustness.Infrastructure;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Reads and writes <see cref="RobustnessReport"/> as JSON (camelCase, indented, enums as names, Greek letters
/// unescaped, NaN written as "NaN"). Writes schema 2; reads 2 and 1 (migrated by <see cref="ReportSchemaV1"/>).
/// Schema: docs/evaluation.md and docs/report-schema-v2.json.
/// </summary>
public static class ReportJson
{
    /// <summary>The serializer settings of the schema.</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The report as JSON text.</summary>
    /// <param name="report">The report.</param>
    public static string Serialize(RobustnessReport report) => JsonSerializer.Serialize(report, SerializerOptions);

    /// <summary>Parses JSON written by <see cref="Serialize"/>, or a report of schema 1.</summary>
    /// <param name="json">The text.</param>
    /// <exception cref="InvalidDataException">Not a report, or a schema version this library does not know.</exception>
    public static RobustnessReport Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            int? version;
            using (var document = JsonDocument.Parse(json))
            {
                version = document.RootElement.ValueKind == JsonValueKind.Object &&
                          document.RootElement.TryGetProperty("schemaVersion", out var v) && v.TryGetInt32(out int n) ? n : null;
            }

            RobustnessReport? report = version switch
            {
                RobustnessReport.CurrentSchemaVersion => JsonSerializer.Deserialize<RobustnessReport>(json, SerializerOptions),
                1 => ReportSchemaV1.Migrate(json, SerializerOptions),
                _ => throw new InvalidDataException(
                    $"Unsupported report schema version {version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(missing)"}; this library reads versions 1 and {RobustnessReport.CurrentSchemaVersion}."),
            };
            return report ?? throw new InvalidDataException("Not a robustness report: the JSON is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Not a robustness report: {e.Message}", e);
        }
    }

    /// <summary>Writes the report to <paramref name="path"/> atomically.</summary>
    /// <param name="report">The report.</param>
    /// <param name="path">Destination.</param>
    public static void Write(RobustnessReport report, string path) => AtomicFile.WriteAllText(path, Serialize(report));

    /// <summary>Reads a report file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidDataException">Not a report; the message names the file.</exception>
    public static RobustnessReport Read(string path)
    {
        try
        {
            return Deserialize(File.ReadAllText(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
