using System.Globalization;
using System.Reflection;

namespace Dwf.Cifar10;

/// <summary>
/// Applies <c>--set Name=value</c> overrides to any <see cref="RunConfig"/> setting (lists: comma-separated), and
/// <c>--set Group.Name=value</c> to a setting of a nested option record (<c>ExpertOptimizer.Momentum=0.8</c>). The
/// flat names of older versions (<see cref="RunConfigJson.LegacyKeys"/>) still work, so recorded commands re-run.
/// </summary>
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
            if (RunConfigJson.LegacyKeys.TryGetValue(name, out var paths) && paths.Length == 0)
            {
                throw new ArgumentException($"--set: '{name}' is not a setting of the run; use the command's own option (--data, --device).");
            }

            foreach (string path in paths ?? [name])
            {
                config = Set(config, path, text);
            }
        }

        return config;
    }

    /// <summary>Sets <paramref name="path"/> (<c>Name</c>, or <c>Group.Name</c> inside a nested option record) to <paramref name="text"/> parsed as its type.</summary>
    private static RunConfig Set(RunConfig config, string path, string text)
    {
        string[] parts = path.Split('.');
        var property = Find(typeof(RunConfig), parts[0], path);
        bool group = IsGroup(property.PropertyType);
        if (parts.Length != (group ? 2 : 1))
        {
            throw new ArgumentException(group
                ? $"--set: '{property.Name}' is a group of settings; set one of them: {string.Join(", ", Settings(property))}."
                : $"--set: '{path}' names no setting. Settings: {string.Join(", ", AllSettings())}.");
        }

        var copy = config with { };
        if (!group)
        {
            property.SetValue(copy, Parse(property, path, text));
            return copy;
        }

        object nested = property.GetValue(config)!;
        var inner = Find(property.PropertyType, parts[1], path);
        object clone = property.PropertyType.GetMethod("<Clone>$")!.Invoke(nested, null)!; // a record's `with { }`
        inner.SetValue(clone, Parse(inner, path, text));
        property.SetValue(copy, clone);
        return copy;
    }

    private static PropertyInfo Find(Type type, string name, string path) =>
        type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { CanWrite: true } p
            ? p
            : throw new ArgumentException($"--set: RunConfig has no setting '{path}'. Settings: {string.Join(", ", AllSettings())}.");

    private static object? Parse(PropertyInfo property, string path, string text)
    {
        try
        {
            return Parse(property.PropertyType, text);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"--set {path}: '{text}' is not a valid {property.PropertyType.Name} ({e.Message}).");
        }
    }

    /// <summary>A nested option record of the library (its settings are set as <c>Group.Name</c>).</summary>
    private static bool IsGroup(Type type) => type.IsClass && type != typeof(string) && type.GetMethod("<Clone>$") is not null;

    private static IEnumerable<string> Settings(PropertyInfo group) =>
        group.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => $"{group.Name}.{p.Name}");

    private static IEnumerable<string> AllSettings() =>
        typeof(RunConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null)
            .SelectMany(p => IsGroup(p.PropertyType) ? Settings(p) : [p.Name]);

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

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) && (type.GetGenericArguments()[0].IsEnum || ParseMethod(type.GetGenericArguments()[0]) is not null))
        {
            var element = type.GetGenericArguments()[0];
            var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => Parse(element, s.Trim())).ToArray();
            var array = Array.CreateInstance(element, items.Length);
            Array.Copy(items, array, items.Length);
            return array;
        }

        if (ParseMethod(type) is { } parse) // IParsable<T>: a type that knows its own spelling (Compare.DefenseKey)
        {
            try
            {
                return parse.Invoke(null, [text, CultureInfo.InvariantCulture]);
            }
            catch (TargetInvocationException e) when (e.InnerException is FormatException f)
            {
                throw f;
            }
        }

        if (type.IsEnum)
        {
            return Enum.TryParse(type, text, ignoreCase: true, out var value) && Enum.IsDefined(type, value!)
                ? value
                : throw new FormatException($"use one of {string.Join(", ", Enum.GetNames(type))}");
        }

        return Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
    }

    /// <summary>The static <c>Parse(string, IFormatProvider)</c> of an <see cref="IParsable{TSelf}"/> value type; null for other types (numbers are read by <see cref="Convert"/>).</summary>
    private static MethodInfo? ParseMethod(Type type) =>
        type.IsValueType && !type.IsPrimitive && !type.IsEnum && type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IParsable<>))
            ? type.GetMethod("Parse", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(IFormatProvider)])
            : null;
}
