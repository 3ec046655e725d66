using System.Text.RegularExpressions;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Architecture;

/// <summary>
/// The library's namespaces form a layering: no two depend on each other, directly or around a cycle (issue 32). A
/// source scan: a file of namespace A depends on namespace B when it has <c>using Dwf.Robustness.B</c> (plain or
/// static) or names <c>Dwf.Robustness.B.</c> or, inside the library, <c>B.</c> as a qualifier (comments and string
/// literals aside). A nested namespace counts as part of the one around it.
/// </summary>
public partial class NamespaceDependencyTests
{
    private const string Root = "Dwf.Robustness";

    [Fact]
    public void Library_Namespaces_HaveNoCycle()
    {
        var graph = Graph(Path.Combine(RepositoryRoot(), "src", Root));
        graph.Should().HaveCountGreaterThan(10, "the scan must find the library's namespaces");

        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).Select(c => string.Join(" ↔ ", c.Order(StringComparer.Ordinal))).ToList();

        cycles.Should().BeEmpty("namespaces that depend on each other cannot be layered; move the type that closes the loop");
    }

    [Fact]
    public void StronglyConnected_TwoNamespacesUsingEachOther_FoundAsOneCycle()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"], ["B"] = ["A", "C"], ["C"] = [], ["D"] = ["C"],
        };

        StronglyConnected(graph).Where(c => c.Count > 1).Should().ContainSingle().Which.Should().BeEquivalentTo(["A", "B"]);
    }

    /// <summary>Namespace → the library namespaces its files refer to.</summary>
    private static Dictionary<string, HashSet<string>> Graph(string source)
    {
        var files = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Text: File.ReadAllText(f), Namespace: NamespaceOf(File.ReadAllText(f))))
            .Where(f => f.Namespace is not null)
            .ToList();
        var known = files.Select(f => f.Namespace!).ToHashSet(StringComparer.Ordinal);
        var graph = known.ToDictionary(n => n, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (text, ns) in files)
        {
            var code = Strings().Replace(Comments().Replace(text, " "), "\"\"");
            // A nested namespace is part of the one around it (C# lets it use the enclosing types unqualified, as
            // System.IO uses System): only edges out of the enclosing namespaces count.
            foreach (var other in known.Where(o => o != ns && !ns!.StartsWith(o + ".", StringComparison.Ordinal)))
            {
                bool refers = code.Contains($"{other}.", StringComparison.Ordinal) || code.Contains($"using {other};", StringComparison.Ordinal)
                    || other.Length > Root.Length && Regex.IsMatch(code, $@"(?<![\w.]){Regex.Escape(other[(Root.Length + 1)..])}\.[A-Z]");
                if (refers)
                {
                    graph[ns!].Add(other);
                }
            }
        }

        return graph;
    }

    private static string? NamespaceOf(string text) => FileNamespace().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(IReadOnlyDictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        int next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.TryGetValue(v, out var edges) ? edges : [])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                result.Add(component);
            }
        }

        foreach (var v in graph.Keys.Where(v => !index.ContainsKey(v)).ToList())
        {
            Visit(v);
        }

        return result;
    }

    private static string RepositoryRoot() => Path.GetDirectoryName(PythonTorchFactAttribute.Folder)!;

    [GeneratedRegex(@"^namespace\s+(Dwf\.Robustness(?:\.[\w.]+)?)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"\$?@?""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex Strings();

}
