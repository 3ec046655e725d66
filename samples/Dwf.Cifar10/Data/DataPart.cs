namespace Dwf.Cifar10.Data;

/// <summary>The two parts every data source has: the images training (and validation) draw from, and the test images evaluation reads.</summary>
public enum DataPart
{
    /// <summary>Training images: the experts', the joint phase's and the validation split's.</summary>
    Train,

    /// <summary>Test images: only evaluated.</summary>
    Test,
}
