using System.Text.Json.Serialization;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// One bit per evaluated image, in test-set order (true = still classified correctly), packed least significant bit
/// first and Base64-encoded, so two reports on the same images can be compared sample by sample after the fact.
/// </summary>
/// <param name="Count">Images.</param>
/// <param name="Bits">Base64 of ⌈Count/8⌉ bytes.</param>
public sealed record SampleOutcomes(int Count, string Bits)
{
    /// <summary>Packs <paramref name="correct"/>.</summary>
    /// <param name="correct">Per-image outcomes.</param>
    public static SampleOutcomes From(IReadOnlyList<bool> correct)
    {
        ArgumentNullException.ThrowIfNull(correct);
        var bytes = new byte[(correct.Count + 7) / 8];
        for (int i = 0; i < correct.Count; i++)
        {
            if (correct[i])
            {
                bytes[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return new SampleOutcomes(correct.Count, Convert.ToBase64String(bytes));
    }

    /// <summary>
    /// Per image, whether it is correct under every one of <paramref name="outcomes"/>: the worst case over attacks
    /// (and the clean pass, when it is one of them). No outcomes at all gives an empty array.
    /// </summary>
    /// <param name="outcomes">Per-image outcomes of equal length, in the same image order.</param>
    /// <returns>A new array.</returns>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public static bool[] CorrectUnderAll(IEnumerable<bool[]> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        bool[]? result = null;
        foreach (var o in outcomes)
        {
            ArgumentNullException.ThrowIfNull(o, nameof(outcomes));
            if (result is null)
            {
                result = (bool[])o.Clone();
                continue;
            }

            if (o.Length != result.Length)
            {
                throw new ArgumentException($"Per-image outcomes of {o.Length} and {result.Length} images cannot be combined; they must be of the same images.", nameof(outcomes));
            }

            for (int i = 0; i < result.Length; i++)
            {
                result[i] &= o[i];
            }
        }

        return result ?? [];
    }

    /// <summary>Images still classified correctly.</summary>
    [JsonIgnore]
    public int Correct => ToArray().Count(c => c);

    /// <summary>Unpacks the outcomes.</summary>
    /// <exception cref="InvalidDataException">The bits do not hold <see cref="Count"/> outcomes.</exception>
    public bool[] ToArray()
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(Bits ?? string.Empty);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"Sample outcomes are not valid Base64: {e.Message}", e);
        }

        if (Count < 0 || bytes.Length != (Count + 7) / 8)
        {
            throw new InvalidDataException($"Sample outcomes hold {bytes.Length} bytes, but {Count} images need {(Math.Max(Count, 0) + 7) / 8}.");
        }

        var result = new bool[Count];
        for (int i = 0; i < Count; i++)
        {
            result[i] = (bytes[i >> 3] & (1 << (i & 7))) != 0;
        }

        return result;
    }
}
