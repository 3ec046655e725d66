using Dwf.Robustness.Attacks;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks;

public class AttackInputValidationTests
{
    private static readonly IAttack Attack = new Pgd(0.03, 0.01, steps: 2);

    private static void ShouldRefuse(Func<Tensor, Tensor, (Tensor, Tensor)> corrupt, string parameter, string message)
    {
        using var scope = NewDisposeScope();
        using var model = new TinyCnn();
        var (images, labels) = SyntheticImages.Make(4);
        var (badImages, badLabels) = corrupt(images, labels);

        var act = () => Attack.Perturb(model, badImages, badLabels);

        act.Should().Throw<ArgumentException>().WithParameterName(parameter).WithMessage(message);
    }

    [Fact]
    public void Perturb_WrongRank_Throws() =>
        ShouldRefuse((x, y) => (x[0], y), "images", "*rank 4*[3,8,8]*");

    [Fact]
    public void Perturb_OutOfRangeImages_Throws() =>
        ShouldRefuse((x, y) => (x * 255, y), "images", "*[0,1]*");

    [Fact]
    public void Perturb_NaNImages_Throws() =>
        ShouldRefuse((x, y) => (x.index_put_(float.NaN, TensorIndex.Single(0), TensorIndex.Single(0), TensorIndex.Single(0), TensorIndex.Single(0)), y), "images", "*NaN*");

    [Fact]
    public void Perturb_IntegerImages_Throws() =>
        ShouldRefuse((x, y) => (x.to(ScalarType.Byte), y), "images", "*floating-point*");

    [Fact]
    public void Perturb_LabelCountMismatch_Throws() =>
        ShouldRefuse((x, y) => (x, y[..3]), "labels", "*3 entries*4 images*");

    [Fact]
    public void Perturb_LabelBeyondClasses_Throws() =>
        ShouldRefuse((x, y) => (x, y + 10), "labels", "*class 1?*4 outputs*");

    [Fact]
    public void Perturb_NegativeLabel_Throws() =>
        ShouldRefuse((x, y) => (x, y - 5), "labels", "*≥ 0*");

    [Fact]
    public void Perturb_Int32Labels_Throws() =>
        ShouldRefuse((x, y) => (x, y.to(ScalarType.Int32)), "labels", "*int64*");
}
