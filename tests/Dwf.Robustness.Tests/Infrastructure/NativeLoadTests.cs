using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Infrastructure;

public class NativeLoadTests
{
    [Fact]
    public void Torch_MatmulAndAutograd_ComputeExpectedValues()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 }).requires_grad_(true);
        var b = tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        var c = a.matmul(b);
        c[0, 0].item<float>().Should().Be(19f);
        c[1, 1].item<float>().Should().Be(50f);
        var g = autograd.grad(new[] { c.sum() }, new[] { a })[0];
        // d(sum(A·B))/dA[i,k] = sum_j B[k,j]
        g.data<float>().ToArray().Should().Equal(11f, 15f, 11f, 15f);
    }
}
