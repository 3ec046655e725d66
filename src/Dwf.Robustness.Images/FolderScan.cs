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

    /// <summary>The folder's path with every link resolved (a link that cannot be resolved is refused by name).</summary>
    private static string RealPath(string folder)
    {
        var info = new DirectoryInfo(folder);
        try
        {
            var target = info.LinkTarget is null ? null : info.ResolveLinkTarget(returnFinalTarget: true);
            string path = Path.GetFullPath(target?.FullName ?? info.FullName);
            // A parent reached through a link: resolve the parent chain too, so two names of one folder compare equal.
            string? parent = Path.GetDirectoryName(path);
            return parent is null || parent == path ? path : Path.Combine(RealParent(parent), Path.GetFileName(path));
        }
        catch (IOException e)
        {
            throw new InvalidImageException(folder, $"a folder link that cannot be followed ({e.Message}); a link loop or a dangling link. Remove it.", e);
        }
    }

    private static string RealParent(string path)
    {
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null)
        {
            return Path.GetFullPath(info.ResolveLinkTarget(returnFinalTarget: true)!.FullName);
        }

        string? parent = Path.GetDirectoryName(path);
        return parent is null || parent == path ? path : Path.Combine(RealParent(parent), info.Name);
    }
}
