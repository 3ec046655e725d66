using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.TestSupport;

/// <summary>A small CNN with BatchNorm (so train/eval mode matters) for fast tests on 3×8×8 images.</summary>
internal sealed class TinyCnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly Linear fc;

    public TinyCnn(int classes = 4, long seed = 0) : base(nameof(TinyCnn))
    {
        using (var _ = NewDisposeScope())
        {
            manual_seed(seed);
        }

        conv1 = nn.Conv2d(3, 8, 3, padding: 1);
        bn1 = nn.BatchNorm2d(8);
        conv2 = nn.Conv2d(8, 16, 3, stride: 2, padding: 1);
        fc = nn.Linear(16, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(bn1.call(conv1.call(x)));
        h = nn.functional.relu(conv2.call(h));
        h = h.mean(new long[] { 2, 3 });
        return fc.call(h).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose();
            bn1.Dispose();
            conv2.Dispose();
            fc.Dispose();
        }

        base.Dispose(disposing);
    }
}

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

/// <summary>Synthetic, learnable image data: each class has a random prototype, images are noisy copies.</summary>
internal static class SyntheticImages
{
    public static (Tensor Images, Tensor Labels) Make(int count, int classes = 4, long seed = 0, int size = 8, double noise = 0.15)
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator((ulong)(seed + 1000));
        var prototypes = rand(new long[] { classes, 3, size, size }, generator: gen) * 0.6 + 0.2;
        var labels = arange(count, dtype: ScalarType.Int64) % classes;
        var images = (prototypes.index_select(0, labels) + noise * randn(new long[] { count, 3, size, size }, generator: gen)).clamp(0, 1);
        return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
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
