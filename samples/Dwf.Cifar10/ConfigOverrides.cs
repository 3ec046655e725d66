using System.Globalization;
using System.Reflection;

namespace Dwf.Cifar10;

/// <summary>Applies <c>--set Name=value</c> overrides to any <see cref="RunConfig"/> property (lists: comma-separated).</summary>
public static class ConfigOverrides
{
    public static RunConfig Apply(RunConfig config, IEnumerable<string> assignments)
    {
        foreach (var assignment in assignments)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0)
            {
                throw new ArgumentException($"--set expects Name=value; got '{assignment}'.");
            }

            string name = assignment[..eq].Trim();
            string text = assignment[(eq + 1)..].Trim();
            var property = typeof(RunConfig).GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)
                ?? throw new ArgumentException($"--set: RunConfig has no setting '{name}'. Settings: {string.Join(", ", typeof(RunConfig).GetProperties().Select(p => p.Name))}.");
            object? value;
            try
            {
                value = Parse(property.PropertyType, text);
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"--set {name}: '{text}' is not a valid {property.PropertyType.Name} ({e.Message}).");
            }

            var copy = config with { };
            property.SetValue(copy, value);
            config = copy;
        }

        return config;
    }

    private static object? Parse(Type type, string text)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            return text is "" or "null" or "none" ? null : Parse(underlying, text);
        }

        if (type == typeof(IReadOnlyList<double>))
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }

        if (type == typeof(IReadOnlyList<int>))
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) && type.GetGenericArguments()[0].IsEnum)
        {
            var element = type.GetGenericArguments()[0];
            var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => Parse(element, s.Trim())).ToArray();
            var array = Array.CreateInstance(element, items.Length);
            Array.Copy(items, array, items.Length);
            return array;
        }

        if (type.IsEnum)
        {
            return Enum.TryParse(type, text, ignoreCase: true, out var value) && Enum.IsDefined(type, value!)
                ? value
                : throw new FormatException($"use one of {string.Join(", ", Enum.GetNames(type))}");
        }

        return Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
    }
}
