using System.Text.Json;
using Dwf.Robustness.Infrastructure;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// What a stopped evaluation has done (AutoAttack's <c>state_path</c> idea), saved atomically after every batch:
/// the clean outcomes, the outcomes of every finished attack run, the partial outcomes of the current one, the
/// gate sums and the warnings so far. A resume with another model, data, plan or setting is refused: the
/// fingerprint covers the model's weights, the data, every attack's settings and the options.
/// </summary>
internal sealed class EvaluationState
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    public string Fingerprint { get; set; } = "";

    public double Seconds { get; set; }

    public SampleOutcomes? Clean { get; set; }

    public List<SampleOutcomes> Completed { get; set; } = [];

    public int BatchesDone { get; set; }

    public SampleOutcomes? Partial { get; set; }

    public double[]? GateClean { get; set; }

    public double[]? GateAttacked { get; set; }

    public long GateAttackedCount { get; set; }

    public List<string> Warnings { get; set; } = [];

    public static EvaluationState LoadOrNew(string? path, string fingerprint)
    {
        if (path is null || !File.Exists(path))
        {
            return new EvaluationState { Fingerprint = fingerprint };
        }

        EvaluationState? state;
        try
        {
            state = JsonSerializer.Deserialize<EvaluationState>(File.ReadAllText(path), ReportJson.SerializerOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not an evaluation state file ({e.Message}). Delete it to start the evaluation afresh.", e);
        }

        if (state is null || state.Version != CurrentVersion)
        {
            throw new InvalidDataException($"{path}: evaluation state version {state?.Version} is not {CurrentVersion}. Delete it to start afresh.");
        }

        if (state.Fingerprint != fingerprint)
        {
            throw new InvalidDataException(
                $"{path} belongs to another evaluation (model weights, data, plan or options differ). Delete it to start afresh, or pass another state path.");
        }

        return state;
    }

    public void Save(string? path)
    {
        if (path is not null)
        {
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, ReportJson.SerializerOptions));
        }
    }
}
