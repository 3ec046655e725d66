using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// One finding of the evaluation's checks: a <see cref="WarningCode"/> to act on and a message for people. In JSON an
/// object <c>{"code": "ZeroInputGradient", "message": "…"}</c>; a plain string (reports, resume states and shard
/// records written before codes existed) is read as <see cref="WarningCode.Unclassified"/>.
/// </summary>
/// <param name="Code">What the warning is about.</param>
/// <param name="Message">What was found and what to do, for people.</param>
[JsonConverter(typeof(EvaluationWarning.Converter))]
public sealed record EvaluationWarning(WarningCode Code, string Message)
{
    /// <summary>The message.</summary>
    /// <returns><see cref="Message"/>.</returns>
    public override string ToString() => Message;

    /// <summary>Reads the object form and the older plain-string form; writes the object form.</summary>
    private sealed class Converter : JsonConverter<EvaluationWarning>
    {
        public override EvaluationWarning Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                return new EvaluationWarning(WarningCode.Unclassified, reader.GetString()!);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"A warning is a string or an object with \"code\" and \"message\"; found {reader.TokenType}.");
            }

            WarningCode? code = null;
            string? message = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string name = reader.GetString() ?? "";
                reader.Read();
                if (name is "code" or "message" && reader.TokenType != JsonTokenType.String)
                {
                    throw new JsonException($"A warning's \"{name}\" is a string; found {reader.TokenType}.");
                }

                switch (name)
                {
                    case "code":
                        code = Enum.TryParse<WarningCode>(reader.GetString(), ignoreCase: false, out var c) && Enum.IsDefined(c) && !int.TryParse(reader.GetString(), out _)
                            ? c
                            : WarningCode.Unclassified; // a code of a newer library version: keep the message
                        break;
                    case "message":
                        message = reader.GetString();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return new EvaluationWarning(code ?? WarningCode.Unclassified,
                message ?? throw new JsonException("A warning object has no \"message\"."));
        }

        public override void Write(Utf8JsonWriter writer, EvaluationWarning value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("code", value.Code.ToString());
            writer.WriteString("message", value.Message);
            writer.WriteEndObject();
        }
    }
}
