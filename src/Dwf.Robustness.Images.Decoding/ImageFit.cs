namespace Dwf.Robustness.Images;

/// <summary>How a non-square image is made square.</summary>
public enum ImageFit
{
    /// <summary>Cut out the centre square (side = the shorter side), then resize: no distortion, edges lost.</summary>
    CentreCrop,

    /// <summary>Resize the whole image to a square: nothing lost, aspect ratio changed.</summary>
    Stretch,
}
