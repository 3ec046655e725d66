using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Testing;

public class LeakCheckTests
{
    [Fact]
    public void AssertNoLeak_CallKeepsATensor_ThrowsCountingIt()
    {
        var kept = new List<Tensor>();

        var act = () => LeakCheck.AssertNoLeak(() => kept.Add(zeros(3)));

        act.Should().Throw<TensorLeakException>().WithMessage("1 tensor(s) leaked by one call*");
        kept.ForEach(t => t.Dispose());
    }

    [Fact]
    public void AssertNoLeak_CallInsideScope_Passes()
    {
        LeakCheck.AssertNoLeak(() =>
        {
            using var scope = NewDisposeScope();
            _ = ones(4) * 2;
        });
    }

    [Fact]
    public void FixedTimeProvider_Elapsed_AlwaysZero()
    {
        var time = new FixedTimeProvider(DateTimeOffset.UnixEpoch);
        long start = time.GetTimestamp();

        time.GetElapsedTime(start).Should().Be(TimeSpan.Zero);
        time.GetUtcNow().Should().Be(DateTimeOffset.UnixEpoch);
    }
}
