using static TorchSharp.torch;

namespace Dwf.Robustness.PyTorch;

/// <summary>One tensor listed in a PyTorch weight file, before its data is read.</summary>
/// <param name="Name">Its key in the file.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions.</param>
public sealed record TensorEntry(string Name, ScalarType DType, IReadOnlyList<long> Shape)
{
    /// <summary>The shape as <c>[a,b,c]</c>.</summary>
    public string ShapeText => "[" + string.Join(",", Shape) + "]";
}
