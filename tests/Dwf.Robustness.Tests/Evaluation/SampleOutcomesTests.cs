using Dwf.Robustness.Evaluation;

namespace Dwf.Robustness.Tests.Evaluation;

public class SampleOutcomesTests
{
    [Fact]
    public void CorrectUnderAll_ThreeAttacks_IsThePerImageAnd()
    {
        bool[] clean = [true, true, true, false, true];
        bool[] first = [true, false, true, true, true];
        bool[] second = [true, true, false, true, true];

        SampleOutcomes.CorrectUnderAll([clean, first, second]).Should().Equal(true, false, false, false, true);
    }

    [Fact]
    public void CorrectUnderAll_OneArray_ReturnsACopy()
    {
        bool[] only = [true, false];

        var result = SampleOutcomes.CorrectUnderAll([only]);
        result[1] = true;

        only.Should().Equal(true, false);
    }

    [Fact]
    public void CorrectUnderAll_LengthsDiffer_ThrowsNamingBoth()
    {
        var act = () => SampleOutcomes.CorrectUnderAll([new bool[3], new bool[4]]);

        act.Should().Throw<ArgumentException>().WithMessage("*4 and 3 images*");
    }

    [Fact]
    public void ToArray_AfterFrom_RoundTripsEveryBit()
    {
        var bits = Enumerable.Range(0, 19).Select(i => i % 3 == 0).ToArray();

        SampleOutcomes.From(bits).ToArray().Should().Equal(bits);
    }
}
