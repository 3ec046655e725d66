namespace Dwf.Robustness.Data;

/// <summary>
/// Creates the <see cref="InvalidDataException"/>s of this library's own CIFAR-10 validation, marked so that the
/// archive reader can tell them from the ones gzip or tar throw (which it rewraps as "truncated or corrupt").
/// </summary>
internal static class Cifar10DataException
{
    private const string Marker = "Dwf.Robustness.Validated";

    public static InvalidDataException Create(string message)
    {
        var e = new InvalidDataException(message);
        e.Data[Marker] = true;
        return e;
    }

    public static bool IsOwn(Exception e) => e.Data.Contains(Marker);
}
