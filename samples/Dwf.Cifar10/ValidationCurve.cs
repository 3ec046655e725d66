using System.Text.Json;

namespace Dwf.Cifar10;

/// <summary>A network's accuracy on the validation split after one training epoch.</summary>
public sealed record ValidationPoint(int Epoch, double Clean, double Robust);

/// <summary>
/// Robust accuracy on the validation split during training (controls/NAME.validation.json): whether a long-trained
/// single network has started to overfit (robust overfitting: its validation robust accuracy falls while training
/// goes on) before a win of DWF over it is counted (docs/results/scaling/PREREGISTRATION.md).
/// </summary>
public static class ValidationCurve
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Whether epoch <paramref name="epoch"/> (1-based) of <paramref name="epochs"/> is measured: about <paramref name="points"/> evenly spaced epochs, the last one always.</summary>
    public static bool Measures(int epoch, int epochs, int points)
    {
        if (points < 1)
        {
            return false;
        }

        int every = Math.Max(1, (int)Math.Ceiling(epochs / (double)points));
        return epoch == epochs || epoch % every == 0;
    }

    /// <summary>The points saved at <paramref name="path"/> (none when it does not exist).</summary>
    public static IReadOnlyList<ValidationPoint> Read(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<List<ValidationPoint>>(File.ReadAllText(path), Json) ?? [] : [];

    /// <summary>Adds <paramref name="point"/> to the file (replacing an earlier point of the same epoch, as after a resume), atomically.</summary>
    public static void Append(string path, ValidationPoint point)
    {
        var points = Read(path).Where(p => p.Epoch != point.Epoch).Append(point).OrderBy(p => p.Epoch).ToList();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Dwf.Robustness.Infrastructure.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(points, Json));
    }

    /// <summary>
    /// Points by how far the last measured epoch's robust accuracy is below the best one's (0 when the last is the best);
    /// the pre-registered rule calls a network overfit above 0.02.
    /// </summary>
    public static double DropFromBest(IReadOnlyList<ValidationPoint> points) =>
        points.Count == 0 ? 0 : points.Max(p => p.Robust) - points.MaxBy(p => p.Epoch)!.Robust;
}
