namespace Dwf.Robustness.Data;

/// <summary>Constants of the official CIFAR-10 binary format.</summary>
public static class Cifar10Format
{
    /// <summary>Bytes per record: one label byte then 3×32×32 pixel bytes (red, green, blue planes, row-major).</summary>
    public const int RecordSize = 1 + ImageSize;

    /// <summary>Bytes of one image.</summary>
    public const int ImageSize = Channels * Height * Width;

    /// <summary>Colour channels.</summary>
    public const int Channels = 3;

    /// <summary>Image height in pixels.</summary>
    public const int Height = 32;

    /// <summary>Image width in pixels.</summary>
    public const int Width = 32;

    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>Records in each member file of the official layout (five training batches and one test batch).</summary>
    public const int RecordsPerBatch = 10_000;

    /// <summary>Folder inside the archive that holds the batches.</summary>
    public const string FolderName = "cifar-10-batches-bin";

    /// <summary>File name of the official archive.</summary>
    public const string ArchiveFileName = "cifar-10-binary.tar.gz";

    /// <summary>Where the official archive is published.</summary>
    public const string ArchiveUrl = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";

    /// <summary>MD5 of the official archive.</summary>
    public const string ArchiveMd5 = "c32a1d4ab5d03f1284b67883e8d87530";

    /// <summary>File holding the class names, one a line.</summary>
    public const string MetaFileName = "batches.meta.txt";

    /// <summary>The member files of a split, in the order their records are concatenated.</summary>
    /// <param name="split">Train or test.</param>
    /// <returns>File names without folder.</returns>
    public static IReadOnlyList<string> MemberFiles(Cifar10Split split) => split switch
    {
        Cifar10Split.Train => ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"],
        Cifar10Split.Test => ["test_batch.bin"],
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Use Cifar10Split.Train or Cifar10Split.Test."),
    };

    /// <summary>
    /// Refuses a path that is not a regular file with content before anything opens it: opening a FIFO blocks until
    /// a writer appears, and a device never ends. Such files report length 0, as an empty file does.
    /// </summary>
    internal static void RequireRegularFile(string path)
    {
        var info = new FileInfo(path);
        if (info.Length == 0)
        {
            throw Cifar10DataException.Create(
                $"'{path}' is empty or not a regular file (a FIFO, socket or device?): pass the CIFAR-10 archive or a folder of its files.");
        }
    }

    internal static string MissingDataMessage(string path) =>
        $"CIFAR-10 data not found at '{path}'. Pass the path of the official binary archive '{ArchiveFileName}' " +
        $"(or of an extracted '{FolderName}' folder). Get it from {ArchiveUrl} (md5 {ArchiveMd5}) and put it there, " +
        "or ask for a download explicitly (Cifar10Downloader.EnsureArchiveAsync).";
}
