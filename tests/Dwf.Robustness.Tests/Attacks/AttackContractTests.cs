using Dwf.Robustness.Attacks;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks;

/// <summary>The <see cref="IAttack"/> contract, checked for every attack the library ships.</summary>
public class AttackContractTests
{
    private static (TinyCnn Model, Tensor Images, Tensor Labels) Setup()
    {
        var model = new TinyCnn(classes: 4, seed: 1);
        var (images, labels) = SyntheticImages.Make(16, seed: 2);
        // include exact 0 and 1 pixels so clamping matters
        images[0].fill_(0.0);
        images[1].fill_(1.0);
        return (model, images, labels);
    }

    [Theory]
    [MemberData(nameof(AttackCatalog.Names), MemberType = typeof(AttackCatalog))]
    public void Perturb_AnyAttack_StaysInEpsilonBallAndUnitRange(string name)
    {
        using var scope = NewDisposeScope();
        var (model, images, labels) = Setup();
        using var gen = new Generator(3);

        var attack = AttackCatalog.Create(name);
        var adversarial = attack.Perturb(model, images, labels, gen);

        adversarial.shape.Should().Equal(images.shape);
        adversarial.dtype.Should().Be(images.dtype);
        adversarial.device.ToString().Should().Be(images.device.ToString());
        adversarial.requires_grad.Should().BeFalse();
        var distance = Dwf.Robustness.Attacks.Norms.NormBall.For(attack.Descriptor.Norm).Norm((adversarial - images).to(ScalarType.Float64)).max().item<double>();
        distance.Should().BeLessThanOrEqualTo(attack.Descriptor.Epsilon + 1e-6, $"the attack must stay in its {attack.Descriptor.Norm} ball");
        adversarial.min().item<float>().Should().BeGreaterThanOrEqualTo(0f);
        adversarial.max().item<float>().Should().BeLessThanOrEqualTo(1f);
        (adversarial - images).abs().max().item<float>().Should().BeGreaterThan(0f, "a non-zero budget must move some pixel");
    }

    [Theory]
    [MemberData(nameof(AttackCatalog.Names), MemberType = typeof(AttackCatalog))]
    public void Perturb_AnyAttack_LeavesInputsUntouched(string name)
    {
        using var scope = NewDisposeScope();
        var (model, images, labels) = Setup();
        var imagesCopy = images.clone();
        var labelsCopy = labels.clone();

        AttackCatalog.Create(name).Perturb(model, images, labels);

        images.equal(imagesCopy).all().item<bool>().Should().BeTrue();
        labels.equal(labelsCopy).all().item<bool>().Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(AttackCatalog.Names), MemberType = typeof(AttackCatalog))]
    public void Perturb_AnyAttack_RestoresTrainingAndEvalMode(string name)
    {
        using var scope = NewDisposeScope();
        var (model, images, labels) = Setup();
        var attack = AttackCatalog.Create(name);

        model.train();
        attack.Perturb(model, images, labels);
        model.training.Should().BeTrue();

        model.eval();
        attack.Perturb(model, images, labels);
        model.training.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(AttackCatalog.Names), MemberType = typeof(AttackCatalog))]
    public void Perturb_ModelThrows_RestoresModeAndPropagates(string name)
    {
        using var scope = NewDisposeScope();
        using var model = new ThrowingModel();
        var (images, labels) = SyntheticImages.Make(4);
        model.train();

        var act = () => AttackCatalog.Create(name).Perturb(model, images, labels);

        act.Should().Throw<InvalidOperationException>().WithMessage("boom");
        model.training.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(AttackCatalog.Names), MemberType = typeof(AttackCatalog))]
    public void Perturb_AnyAttack_LeavesNoParameterGradients(string name)
    {
        using var scope = NewDisposeScope();
        var (model, images, labels) = Setup();

        AttackCatalog.Create(name).Perturb(model, images, labels);

        model.parameters().Select(p => p.grad).Should().OnlyContain(g => ReferenceEquals(g, null));
    }

    [Theory]
    [MemberData(nameof(AttackCatalog.Names), MemberType = typeof(AttackCatalog))]
    public void Perturb_AnyAttack_LeaksNoTensors(string name)
    {
        using var scope = NewDisposeScope();
        var (model, images, labels) = Setup();
        var attack = AttackCatalog.Create(name);
        using var gen = new Generator(5);

        LeakCheck.AssertNoLeak(() => attack.Perturb(model, images, labels, gen).Dispose());
    }

    [Theory]
    [MemberData(nameof(AttackCatalog.Names), MemberType = typeof(AttackCatalog))]
    public void Perturb_SameSeed_GivesIdenticalOutput(string name)
    {
        using var scope = NewDisposeScope();
        var (model, images, labels) = Setup();
        var attack = AttackCatalog.Create(name);
        using var g1 = new Generator(11);
        using var g2 = new Generator(11);

        var a = attack.Perturb(model, images, labels, g1);
        var b = attack.Perturb(model, images, labels, g2);

        a.equal(b).all().item<bool>().Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(AttackCatalog.Names), MemberType = typeof(AttackCatalog))]
    public void Perturb_CalledUnderNoGrad_StillAttacks(string name)
    {
        using var scope = NewDisposeScope();
        var (model, images, labels) = Setup();
        using var gen = new Generator(3);
        Tensor adversarial;
        using (no_grad())
        {
            adversarial = AttackCatalog.Create(name).Perturb(model, images, labels, gen);
        }

        (adversarial - images).abs().max().item<float>().Should().BeGreaterThan(0f);
    }
}
