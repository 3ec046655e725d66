using Dwf.Robustness.Attacks.Norms;
using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks.SquareSearch;

/// <summary>
/// Square Attack under L2 (Andriushchenko et al., 2020, Algorithm 3): the start tiles the image with blocks of a
/// two-lobed pattern η (nested rectangles weighted 1/(k+1)², one lobe positive, one negative, randomly transposed)
/// with a random sign per channel, scaled to ‖δ‖₂ = ε. Per query, in a random window W₁ the perturbation becomes η
/// (random sign per channel) plus its old content normalized, rescaled per channel so that it takes the budget freed
/// by zeroing a second random window W₂ (and any budget left); the whole perturbation is then rescaled to norm ε.
/// Windows are odd-sided, at least 3. As with L∞, each image draws its own windows and signs.
/// </summary>
internal sealed class L2SquareSearch : SquareSearch
{
    private const double Tiny = 1e-12;

    public static L2SquareSearch Instance { get; } = new();

    private L2SquareSearch()
    {
    }

    /// <inheritdoc />
    public override long Side(double fraction, long h, long w)
    {
        long side = Math.Max((long)Math.Round(Math.Sqrt(fraction * h * w)), 3);
        side = Math.Min(side % 2 == 0 ? side + 1 : side, Math.Min(h, w));
        return Math.Max(side % 2 == 0 ? side - 1 : side, 1);
    }

    /// <inheritdoc />
    public override Tensor Start(Tensor images, double epsilon, Generator? generator)
    {
        using var scope = NewDisposeScope();
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        long side = Math.Max(Math.Min(h, w) / 5, 1);
        long rowStart = (h - side * (h / side)) / 2, colStart = (w - side * (w / side)) / 2;
        var (pattern, transposed) = Patterns(side, images);
        var delta = zeros_like(images);
        for (long top = rowStart; top + side <= h; top += side)
        {
            for (long left = colStart; left + side <= w; left += side)
            {
                var flip = randint(0, 2, [n, 1, 1, 1], generator: generator).to(images.device).to(ScalarType.Bool);
                var block = where(flip, transposed, pattern) * Signs([n, c, 1, 1], generator, images);
                delta[.., .., TensorIndex.Slice(top, top + side), TensorIndex.Slice(left, left + side)] += block;
            }
        }

        return (images + epsilon * Normalize(delta)).clamp(0.0, 1.0).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor Propose(Tensor images, Tensor current, double epsilon, long side, Generator? generator)
    {
        using var scope = NewDisposeScope();
        long m = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        var delta = current - images;
        var (first, top, left) = Window(m, h, w, side, generator, images.device);
        var (second, _, _) = Window(m, h, w, side, generator, images.device);
        var flip = randint(0, 2, [m, 1, 1, 1], generator: generator).to(images.device).to(ScalarType.Bool);
        var signs = Signs([m, c, 1, 1], generator, images);

        var inFirst = delta * first;
        var channelNorm = inFirst.square().sum([2, 3], keepdim: true).sqrt();
        var imageNorm = Norm(delta);
        var windowsNorm = Norm(delta * (first | second));
        var (pattern, transposed) = Patterns(side, images);
        var placed = Place(where(flip, transposed, pattern), top, left, side, h, w) * first;
        var proposal = placed * signs + inFirst / (channelNorm + Tiny);
        var budget = ((epsilon * epsilon - imageNorm.square()).clamp_min(0) / c + windowsNorm.square()).sqrt();
        proposal = proposal / (proposal.square().sum([2, 3], keepdim: true).sqrt() + Tiny) * budget;
        var next = where(first, proposal, where(second, zeros_like(delta), delta));
        return (images + epsilon * Normalize(next)).clamp(0.0, 1.0).MoveToOuterDisposeScope();
    }

    /// <summary>Per image, the L2 norm over C·H·W (<see cref="L2Ball.Norm"/>), shaped [N,1,1,1].</summary>
    private static Tensor Norm(Tensor delta) => L2Ball.Instance.Norm(delta).view(-1, 1, 1, 1);

    private static Tensor Normalize(Tensor delta) => L2Ball.Instance.Normalize(delta);

    /// <summary>The s × s pattern η and its transpose as [1,1,s,s] tensors like <paramref name="like"/>.</summary>
    private static (Tensor Pattern, Tensor Transposed) Patterns(long side, Tensor like)
    {
        var eta = Eta((int)side);
        var pattern = tensor(eta.Cast<double>().ToArray(), [1, 1, side, side]).to(like.dtype).to(like.device);
        return (pattern, pattern.transpose(2, 3));
    }

    /// <summary>η of side s: the top ⌊s/2⌋ rows the positive lobe, the rest the negative one, L2-normalized.</summary>
    internal static double[,] Eta(int s)
    {
        var eta = new double[s, s];
        var top = Lobe(s / 2, s);
        var bottom = Lobe(s - s / 2, s);
        for (int i = 0; i < s; i++)
        {
            for (int j = 0; j < s; j++)
            {
                eta[i, j] = i < s / 2 ? top[i, j] : -bottom[i - s / 2, j];
            }
        }

        return Normalized(eta);
    }

    /// <summary>One lobe of x × y: nested rectangles around the centre, the k-th (from 0) adding 1/(k+1)², L2-normalized.</summary>
    private static double[,] Lobe(int x, int y)
    {
        var lobe = new double[x, y];
        int rowCentre = x / 2, colCentre = y / 2;
        for (int k = 0; k < Math.Max(rowCentre + 1, colCentre + 1); k++)
        {
            double weight = 1.0 / ((k + 1) * (k + 1));
            for (int i = Math.Max(rowCentre - k, 0); i < Math.Min(rowCentre - k + 2 * k + 1, x); i++)
            {
                for (int j = Math.Max(colCentre - k, 0); j < Math.Min(colCentre - k + 2 * k + 1, y); j++)
                {
                    lobe[i, j] += weight;
                }
            }
        }

        return Normalized(lobe);
    }

    private static double[,] Normalized(double[,] values)
    {
        double norm = Math.Sqrt(values.Cast<double>().Sum(v => v * v));
        var result = (double[,])values.Clone();
        if (norm > 0)
        {
            for (int i = 0; i < result.GetLength(0); i++)
            {
                for (int j = 0; j < result.GetLength(1); j++)
                {
                    result[i, j] /= norm;
                }
            }
        }

        return result;
    }

    /// <summary>Per image, the [1,1,s,s] (or [M,1,s,s]) pattern placed at (top, left) of an h × w map, zero elsewhere is left to the caller's mask.</summary>
    private static Tensor Place(Tensor pattern, Tensor top, Tensor left, long side, long h, long w)
    {
        long m = top.shape[0];
        var rows = arange(h, device: top.device).view(1, 1, h, 1);
        var cols = arange(w, device: top.device).view(1, 1, 1, w);
        var index = ((rows - top).clamp(0, side - 1) * side + (cols - left).clamp(0, side - 1)).view(m, h * w);
        var flat = pattern.expand(m, 1, side, side).reshape(m, side * side);
        return flat.gather(1, index).view(m, 1, h, w);
    }
}
