using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dwf.Robustness.Attacks;
using static TorchSharp.torch;

namespace Dwf.Robustness.Evaluation;

/// <summary>What a state file must match to be resumed: SHA-256 over the model's weights, the data, every attack run (with all its settings) and the options.</summary>
internal static class EvaluationFingerprint
{
    public static string Of(EvaluationRun run)
    {
        using var scope = NewDisposeScope();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, tensor) in run.Model.state_dict())
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            hash.AppendData(tensor.cpu().contiguous().bytes);
        }

        var options = run.Options;
        string settings = string.Join("\n", run.Units.Select(u => $"{u.Stage}|{u.Kind}|{u.Surrogate}|{AttackFingerprint.Of(u.Attack)}")) +
            $"\n{run.DataHash}|{run.Description}|{options.BatchSize}|{options.Seed}|{options.SanityChecks}|{options.SanityEpsilon}" +
            (options.After is { } a ? $"\nafter {a.Model}|{a.Plan.Name}|{string.Join(";", a.WorstCase.Select(w => w.Epsilon.ToString("R", CultureInfo.InvariantCulture) + ":" + w.Outcomes?.Bits))}" : "") +
            (run.Expectation > 1 ? $"\nexpectation {run.Expectation}" : "") + // absent without it
            $"\nblocks of {options.BatchesPerBlock}";
        hash.AppendData(Encoding.UTF8.GetBytes(settings));
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
