using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks;

/// <summary>A randomized defense for tests: Gaussian noise of standard deviation <c>sigma</c> added to the input before the wrapped model (not owned).</summary>
internal sealed class NoisyModel(nn.Module<Tensor, Tensor> model, double sigma) : nn.Module<Tensor, Tensor>(nameof(NoisyModel))
{
    public override Tensor forward(Tensor input) => model.call(input + sigma * randn_like(input));
}
