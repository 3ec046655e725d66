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
    /// <summary>
    /// 3: <see cref="BatchesDone"/> counts batches of eligible images packed within blocks of
    /// <see cref="EvaluationOptions.BatchesPerBlock"/> batches (version 2 packed them across the whole subset, version 1
    /// counted batches of the test subset).
    /// </summary>
    public const int CurrentVersion = 3;

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

    public List<EvaluationWarning> Warnings { get; set; } = [];

    /// <summary>The state in <paramref name="path"/> (checked against the evaluation it must belong to), or a new one.</summary>
    /// <param name="path">State file, or null for none.</param>
    /// <param name="fingerprint">The evaluation's fingerprint.</param>
    /// <param name="units">Attack runs of the evaluation.</param>
    /// <param name="images">Images evaluated.</param>
    /// <param name="batches">Batches per run.</param>
    /// <param name="experts">Experts of a mixture (gate sums), 0 for a single model.</param>
    public static EvaluationState LoadOrNew(string? path, string fingerprint, int units, int images, int batches, int experts)
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

        // A matching fingerprint does not make the rest trustworthy (the file may be edited or damaged): every count is
        // checked before anything is used, so a bad file is refused here, naming itself, and never indexes out of range.
        string? problem =
            state.Completed is null || state.Warnings is null ? "a list is missing" :
            state.Completed.Count > units ? $"{state.Completed.Count} finished attack runs, but the evaluation has {units}" :
            state.Clean is null && state.Completed.Count > 0 ? "finished attack runs without clean outcomes" :
            state.BatchesDone < 0 || state.BatchesDone > batches ? $"{state.BatchesDone} batches done of {batches}" :
            (state.Partial is null) != (state.BatchesDone == 0) ? "partial outcomes and batches done disagree" :
            state.GateClean is { } g && g.Length != experts || state.GateAttacked is { } a && a.Length != experts ? $"gate sums for other than {experts} experts" :
            !double.IsFinite(state.Seconds) || state.Seconds < 0 ? $"elapsed time {state.Seconds}" :
            null;
        foreach (var outcomes in new[] { state.Clean, state.Partial }.Concat(state.Completed ?? []))
        {
            if (problem is null && outcomes is not null)
            {
                try
                {
                    if (outcomes.ToArray().Length != images)
                    {
                        problem = $"outcomes of {outcomes.Count} images, but the evaluation has {images}";
                    }
                }
                catch (InvalidDataException e)
                {
                    problem = e.Message;
                }
            }
        }

        if (problem is not null)
        {
            throw new InvalidDataException($"{path}: damaged evaluation state ({problem}). Delete it to start the evaluation afresh.");
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
