using System.Text.Json;
using Dwf.Robustness.Evaluation;

namespace Dwf.Robustness.Tests.Evaluation;

public class EvaluationWarningTests
{
    [Fact]
    public void Serialize_Warning_ObjectWithCodeNameAndMessage()
    {
        string json = JsonSerializer.Serialize(new EvaluationWarning(WarningCode.ZeroInputGradient, "zero"));

        json.Should().Be("{\"code\":\"ZeroInputGradient\",\"message\":\"zero\"}");
        JsonSerializer.Deserialize<EvaluationWarning>(json).Should().Be(new EvaluationWarning(WarningCode.ZeroInputGradient, "zero"));
    }

    [Fact]
    public void Deserialize_PlainStringOfAnOlderReport_UnclassifiedWithTheText()
    {
        JsonSerializer.Deserialize<EvaluationWarning>("\"an old warning\"").Should().Be(new EvaluationWarning(WarningCode.Unclassified, "an old warning"));
    }

    [Theory]
    [InlineData("{\"code\":\"SomethingNewer\",\"message\":\"m\"}")]
    [InlineData("{\"code\":\"3\",\"message\":\"m\"}")]
    [InlineData("{\"message\":\"m\",\"extra\":[1,2]}")]
    public void Deserialize_UnknownOrMissingCode_UnclassifiedKeepingTheMessage(string json)
    {
        JsonSerializer.Deserialize<EvaluationWarning>(json).Should().Be(new EvaluationWarning(WarningCode.Unclassified, "m"));
    }

    [Theory]
    [InlineData("{\"code\":\"ZeroInputGradient\"}")]
    [InlineData("{\"code\":1,\"message\":\"m\"}")]
    [InlineData("42")]
    public void Deserialize_NotAWarning_JsonExceptionNamingTheForm(string json)
    {
        var act = () => JsonSerializer.Deserialize<EvaluationWarning>(json);

        act.Should().Throw<JsonException>().WithMessage("*warning*");
    }
}
