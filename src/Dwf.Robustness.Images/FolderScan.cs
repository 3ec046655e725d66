namespace Dwf.Robustness.Images;

/// <summary>
/// The classes (sub-folders of the root, sorted ordinally) and, per class, its image files (recursively, sorted), with
/// folder links followed once: a link back into a folder already being read is a loop and refused, naming the link.
/// </summary>
internal static class FolderScan
{
    public static (IReadOnlyList<string> Classes, IReadOnlyList<(string File, int Label)> Files) Scan(string root, ImageFolderOptions options)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"{root}: no such folder. An image set is a folder with one sub-folder of images per class.");
        }

        var classes = Directory.GetDirectories(root).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
        if (classes.Count < 2)
        {
            throw new InvalidImageException(root, $"{classes.Count} class folder(s); an image set needs one sub-folder per class, at least two.");
        }

        if (classes.FirstOrDefault(c => !Persistence.ModelManifest.IsClassName(c)) is { } bad)
        {
            throw new InvalidImageException(Path.Combine(root, bad),
                $"class folder name {Persistence.ModelManifest.ClassNameProblem(bad)}; a class name goes into model manifests and ONNX metadata, where such a name cannot be stored. Rename the folder.");
        }

        var extensions = options.Extensions.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var files = new List<(string, int)>();
        for (int label = 0; label < classes.Count; label++)
        {
            string folder = Path.Combine(root, classes[label]);
            var found = new List<string>();
            Collect(folder, extensions, found, new HashSet<string>(StringComparer.Ordinal) { RealPath(folder) });
            if (found.Count == 0)
            {
                throw new InvalidImageException(folder, $"class '{classes[label]}' has no {string.Join("/", options.Extensions)} file; add images or remove the folder.");
            }

            files.AddRange(found.Order(StringComparer.Ordinal).Select(f => (f, label)));
        }

        return (classes, files);
    }

    private static void Collect(string folder, HashSet<string> extensions, List<string> found, HashSet<string> open)
    {
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (extensions.Contains(Path.GetExtension(file)))
            {
                found.Add(file);
            }
        }

        foreach (var sub in Directory.EnumerateDirectories(folder))
        {
            string real = RealPath(sub);
            if (!open.Add(real))
            {
                throw new InvalidImageException(sub, $"a folder link back to {real}, which is already being read: a loop. Remove the link.");
            }

            Collect(sub, extensions, found, open);
            open.Remove(real);
        }
    }

    /// <summary>The folder's path with every link in it resolved, itself and its parents (a link that cannot be resolved is refused by name).</summary>
    private static string RealPath(string folder)
    {
        try
        {
            return Resolve(Path.GetFullPath(folder), 0);
        }
        catch (IOException e)
        {
            throw new InvalidImageException(folder, $"a folder link that cannot be followed ({e.Message}); a link loop or a dangling link. Remove it.", e);
        }
    }

    /// <summary>Links followed in one path before it counts as a loop (Linux's own limit is 40).</summary>
    private const int MaxLinks = 40;

    private static string Resolve(string path, int links)
    {
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null)
        {
            if (++links > MaxLinks)
            {
                throw new IOException($"more than {MaxLinks} links on the way");
            }

            return Resolve(Path.GetFullPath(info.ResolveLinkTarget(returnFinalTarget: true)!.FullName), links);
        }

        string? parent = Path.GetDirectoryName(path);
        return parent is null ? path : Path.Combine(Resolve(parent, links), info.Name);
    }
}
