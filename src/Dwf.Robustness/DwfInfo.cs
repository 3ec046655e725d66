namespace Dwf.Robustness;
/// <summary>Library version information.</summary>
public static class DwfInfo { /// <summary>The paper this library implements.</summary>
public const string Paper = "arXiv 2512.20821"; }
