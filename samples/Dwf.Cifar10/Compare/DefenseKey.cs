using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dwf.Cifar10.Compare;

/// <summary>
/// The name that selects a defense of <c>compare</c> (config.json <c>CompareDefenses</c>; <c>--set CompareDefenses=Dwf,Soe</c>):
/// the <see cref="IDefenseRecipe.Key"/> of one recipe of <see cref="DefenseRecipes.All"/>, spelled as that recipe spells
/// it. Only such names parse, so a key always names a recipe.
/// </summary>
[JsonConverter(typeof(DefenseKeyJsonConverter))]
public readonly record struct DefenseKey : IParsable<DefenseKey>
{
    private DefenseKey(string value) => Value = value;

    /// <summary>The recipe's name.</summary>
    public string Value { get; }

    /// <summary>The key a recipe declares (only recipes call this).</summary>
    internal static DefenseKey Declare(string value) => new(value);

    /// <summary>Every recipe's key, comma-separated, for messages that name what would have parsed.</summary>
    public static string Known => string.Join(", ", DefenseRecipes.All.Select(r => r.Key));

    /// <inheritdoc />
    public override string ToString() => Value ?? "";

    /// <summary>The key of the recipe named <paramref name="s"/> (case-insensitive).</summary>
    /// <exception cref="FormatException">No recipe has that name; the message lists the names.</exception>
    public static DefenseKey Parse(string s, IFormatProvider? provider = null) =>
        TryParse(s, provider, out var key) ? key : throw new FormatException($"'{s}' is no defense; use one of {Known}");

    /// <inheritdoc />
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out DefenseKey result)
    {
        var recipe = DefenseRecipes.All.FirstOrDefault(r => string.Equals(r.Key.Value, s?.Trim(), StringComparison.OrdinalIgnoreCase));
        result = recipe?.Key ?? default;
        return recipe is not null;
    }
}

/// <summary>A <see cref="DefenseKey"/> as a JSON string; a name no recipe has is refused.</summary>
public sealed class DefenseKeyJsonConverter : JsonConverter<DefenseKey>
{
    /// <inheritdoc />
    public override DefenseKey Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return DefenseKey.TryParse(text, null, out var key)
            ? key
            : throw new JsonException($"CompareDefenses: {(text is null ? "a " + reader.TokenType : $"'{text}'")} names no defense; use one of {DefenseKey.Known}.");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DefenseKey value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
