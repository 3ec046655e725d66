using Dwf.Robustness.Attacks.Norms;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks.Norms;

public class LinfBallTests
{
    [Fact]
    public void Project_OutsideBoxAndUnitRange_ClippedToBoth()
    {
        using var scope = NewDisposeScope();
        var images = tensor(new float[] { 0.0f, 0.5f, 0.98f }).view(1, 3, 1, 1);
        var candidate = tensor(new float[] { -0.2f, 0.6f, 1.2f }).view(1, 3, 1, 1);

        var projected = LinfBall.Instance.Project(candidate, images, 0.05);

        projected.flatten().data<float>().ToArray().Should().BeEquivalentTo(new[] { 0.0f, 0.55f, 1.0f }, o => o.Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-6f)).WhenTypeIs<float>());
    }

    [Fact]
    public void SteepestStep_Gradient_IsSignedStep()
    {
        using var scope = NewDisposeScope();
        var step = LinfBall.Instance.SteepestStep(tensor(new float[] { -3f, 0f, 0.001f }).view(1, 3, 1, 1), 0.1);

        step.flatten().data<float>().ToArray().Should().Equal(-0.1f, 0f, 0.1f);
    }
}
