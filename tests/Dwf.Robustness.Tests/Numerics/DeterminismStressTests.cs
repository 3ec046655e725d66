using Dwf.Robustness.Testing;
using Dwf.Robustness.Tests.Attacks;
using Dwf.Robustness.Tests.TestSupport;
using Dwf.Robustness.Training;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Numerics;

/// <summary>
/// What the AVX-512 convolution bug broke (issue 30): in one process, after the tiny models' NCHW convolutions have
/// run many times at batches of 16 and 100, every attack repeated with the same seed and a training resume must still
/// give identical results. Heap corruption or garbage read by a wrong kernel shows up here as a difference.
/// .ci/run runs this class three times on its own, besides the full suite.
/// </summary>
public class DeterminismStressTests
{
    private static void TinyModelWork()
    {
        using var model = new TinyCnn(classes: 4, seed: 5);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        foreach (int batch in new[] { 16, 100, 16, 100 })
        {
            using var scope = NewDisposeScope();
            var (images, labels) = SyntheticImages.Make(batch, seed: batch);
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(images), labels).backward();
            optimizer.step();
        }
    }

    [Fact]
    public void SameSeedAttacksAndResume_AfterTinyModelWork_StayIdentical()
    {
        TinyModelWork();
        foreach (string name in AttackCatalog.Names)
        {
            using var scope = NewDisposeScope();
            using var model = new TinyCnn(classes: 4, seed: 1);
            var (images, labels) = SyntheticImages.Make(100, seed: 2);
            var attack = AttackCatalog.Create(name);
            using var g1 = new Generator(11);
            using var g2 = new Generator(11);
            var a = attack.Perturb(model, images, labels, g1);
            TinyModelWork();
            var b = attack.Perturb(model, images, labels, g2);
            a.equal(b).all().item<bool>().Should().BeTrue($"{name} with the same seed, around tiny-model work");
        }

        TinyModelWork();
        using var dir = new TempDirectory();
        using var data = SyntheticDataset.Create(64);
        using var straight = TinyMixture.Create(experts: 2, seed: 1);
        using var resumed = TinyMixture.Create(experts: 2, seed: 1);
        var options = Dwf.Robustness.Tests.Training.JointTrainerTests.TinyOptions(epochs: 2);
        new JointTrainer(options).Fit(straight, SyntheticDataset.Loader(data));
        string path = dir.File("joint.ckpt");
        using var cts = new CancellationTokenSource();
        int batches = 0;
        var progress = new SyncProgress<TrainingProgress>(_ =>
        {
            if (++batches == 2)
            {
                cts.Cancel();
            }
        });
        var first = () => new JointTrainer(options).Fit(resumed, SyntheticDataset.Loader(data), path, progress, cts.Token);
        first.Should().Throw<OperationCanceledException>();
        TinyModelWork();
        new JointTrainer(options).Fit(resumed, SyntheticDataset.Loader(data), path).ResumedFromEpoch.Should().Be(1);
        var sa = straight.state_dict();
        var sb = resumed.state_dict();
        foreach (var key in sa.Keys)
        {
            sa[key].equal(sb[key]).all().item<bool>().Should().BeTrue($"'{key}' must be bit-identical after the resume");
        }
    }
}
