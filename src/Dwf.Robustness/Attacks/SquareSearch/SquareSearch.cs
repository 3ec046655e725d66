using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks.SquareSearch;

/// <summary>
/// What Square Attack does in one norm: its starting point and its proposal per query (a square window of side
/// <c>side</c> changed per image). <see cref="Square"/> runs the search loop (active set, acceptance when the margin
/// drops) for any of them; a new norm is a subclass plus its line in <see cref="For"/>.
/// </summary>
internal abstract class SquareSearch
{
    /// <summary>The search of <paramref name="threatModel"/>.</summary>
    public static SquareSearch For(ThreatModel threatModel) => threatModel switch
    {
        ThreatModel.Linf => LinfSquareSearch.Instance,
        ThreatModel.L2 => L2SquareSearch.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(threatModel), threatModel, $"Square Attack has no search for {threatModel}."),
    };

    /// <summary>The window side for window fraction <paramref name="fraction"/> of an h × w image.</summary>
    public abstract long Side(double fraction, long h, long w);

    /// <summary>The starting point for <paramref name="images"/> [N,C,H,W], on the ε-sphere (or box) and in [0,1].</summary>
    public abstract Tensor Start(Tensor images, double epsilon, Generator? generator);

    /// <summary>One candidate per image: <paramref name="current"/> changed in one square window (per image) of side <paramref name="side"/>, within the ε-ball around <paramref name="images"/> and [0,1].</summary>
    public abstract Tensor Propose(Tensor images, Tensor current, double epsilon, long side, Generator? generator);

    /// <summary>Per image, a boolean [M,1,H,W] mask of a square of side <paramref name="side"/> at a random position (drawn on the CPU).</summary>
    protected static (Tensor Mask, Tensor Top, Tensor Left) Window(long m, long h, long w, long side, Generator? generator, Device device)
    {
        var rows = arange(h, device: device).view(1, 1, h, 1);
        var cols = arange(w, device: device).view(1, 1, 1, w);
        var top = randint(0, h - side + 1, [m], generator: generator).to(device).view(-1, 1, 1, 1);
        var left = randint(0, w - side + 1, [m], generator: generator).to(device).view(-1, 1, 1, 1);
        return (rows.ge(top) & rows.lt(top + side) & cols.ge(left) & cols.lt(left + side), top, left);
    }

    /// <summary>Uniform ±1 of <paramref name="shape"/>, drawn on the CPU so that a seed gives the same draws on every device.</summary>
    protected static Tensor Signs(long[] shape, Generator? generator, Tensor like) =>
        (randint(0, 2, shape, generator: generator) * 2 - 1).to(like.dtype).to(like.device);
}
