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
    public void Perturb_Float64ImagesForFloat32Model_ThrowsNamingTheConversion() =>
        ShouldRefuse((x, y) => (x.to(ScalarType.Float64), y), "images", "*Float64*parameters are Float32*images.to(ScalarType.Float32)*");

    [Fact]
    public void Perturb_MetaDeviceImages_ThrowsNamingTheFix() =>
        ShouldRefuse((x, y) => (empty(x.shape, device: new Device(TorchSharp.DeviceType.META)), y), "images", "*meta device*CPU or a GPU*");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Perturb_ModelWithNaNWeight_ThrowsNamingTheParameter(bool fgsm)
    {
        // Before, FGSM returned the clean images and PGD its random start: an attack that silently did nothing.
        using var scope = NewDisposeScope();
        using var model = new TinyCnn();
        using (no_grad())
        {
            model.parameters().First().view(-1)[0].fill_(float.NaN);
        }

        var (images, labels) = SyntheticImages.Make(4);
        IAttack attack = fgsm ? new Fgsm(0.03) : new Pgd(0.03, 0.01, steps: 2);

        var act = () => attack.Perturb(model, images, labels);

        act.Should().Throw<ArgumentException>().WithParameterName("model").WithMessage("*NaN or infinite*");
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(-0.01)]
    public void Pgd_NonFiniteOrNonPositiveStepSize_Throws(double stepSize)
    {
        var act = () => new Pgd(0.03, stepSize);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("stepSize").WithMessage("*finite and > 0*");
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(0.0)]
    [InlineData(double.PositiveInfinity)]
    public void FastFgsm_NonPositiveOrInfiniteStepFactor_Throws(double stepFactor)
    {
        var act = () => Pgd.FastFgsm(0.03, stepFactor);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("stepFactor");
    }

    [Fact]
    public void Perturb_TwoThreadsOnTrainingModeModel_ModelBackInTrainingMode()
    {
        using var model = new TinyCnn();
        var (images, labels) = SyntheticImages.Make(8);
        var slow = new Pgd(0.03, 0.01, steps: 20);
        for (int round = 0; round < 8; round++)
        {
            model.train();
            var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
            {
                using var scope = NewDisposeScope();
                slow.Perturb(model, images, labels);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            model.training.Should().BeTrue($"round {round}: the mode before the attacks is restored after the last one");
        }

        images.Dispose();
        labels.Dispose();
    }

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
