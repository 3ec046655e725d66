namespace Dwf.Robustness.PyTorch;

/// <summary>The PyTorch weight formats read and written.</summary>
public enum WeightFormat
{
    /// <summary>A state dict saved with <c>torch.save(model.state_dict(), path)</c> (zip + pickle; <c>.pt</c>, <c>.pth</c>, <c>.bin</c>).</summary>
    Pickle,

    /// <summary>The safetensors format (<c>.safetensors</c>): a JSON header and raw little-endian tensors, no code in the file.</summary>
    Safetensors,
}
