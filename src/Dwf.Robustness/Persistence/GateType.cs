namespace Dwf.Robustness.Persistence;

/// <summary>The gates a model manifest can describe and rebuild.</summary>
public enum GateType
{
    /// <summary><see cref="Moe.SoftGate"/>: softmax over every expert.</summary>
    Soft,

    /// <summary><see cref="Moe.TopKGate"/>: softmax over the k highest-scoring experts.</summary>
    TopK,
}
