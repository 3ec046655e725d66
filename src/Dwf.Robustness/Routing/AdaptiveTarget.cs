using static TorchSharp.torch;

namespace Dwf.Robustness.Routing;

/// <summary>A model an adaptive attack runs against instead of the routed model itself; its adversarial images are then classified by the routed model.</summary>
/// <param name="Name">What the reports call it, e.g. <c>gate detached</c> or <c>transfer from pgd-1</c>.</param>
/// <param name="Module">[0,1] images in, logits out.</param>
/// <param name="DisposeAfterUse">True when the target was made for the caller (a surrogate wrapper); false when it is part of the routed model (an expert) and must not be disposed.</param>
public sealed record AdaptiveTarget(string Name, nn.Module<Tensor, Tensor> Module, bool DisposeAfterUse);
