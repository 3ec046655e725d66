using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.TestSupport;

/// <summary>Flatten then one linear layer: its input gradient is known in closed form.</summary>
internal sealed class LinearClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;

    public LinearClassifier(long inputs, int classes) : base(nameof(LinearClassifier))
    {
        fc = nn.Linear(inputs, classes);
        RegisterComponents();
    }

    public Linear Layer => fc;

    public override Tensor forward(Tensor x) => fc.call(x.flatten(1));
}

/// <summary>A model whose forward always throws, to check that attacks restore the mode anyway.</summary>
internal sealed class ThrowingModel : nn.Module<Tensor, Tensor>
{
    public ThrowingModel() : base(nameof(ThrowingModel)) => RegisterComponents();

    public override Tensor forward(Tensor x) => throw new InvalidOperationException("boom");
}

/// <summary>Trains a model for a few hundred steps on synthetic data (a couple of seconds).</summary>
internal static class QuickTrain
{
    public static void Fit(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, int epochs = 30, double lr = 0.01, int batch = 64)
    {
        model.train();
        using var optimizer = optim.Adam(model.parameters(), lr);
        long n = images.shape[0];
        for (int e = 0; e < epochs; e++)
        {
            for (long i = 0; i < n; i += batch)
            {
                using var scope = NewDisposeScope();
                long len = Math.Min(batch, n - i);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(images.narrow(0, i, len)), labels.narrow(0, i, len));
                loss.backward();
                optimizer.step();
            }
        }

        model.eval();
    }

    public static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return model.call(images).argmax(1).eq(labels).to(ScalarType.Float32).mean().item<float>();
    }
}
