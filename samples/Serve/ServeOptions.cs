namespace Dwf.Serve;

/// <summary>The service's settings (appsettings.json section <c>Serve</c>, or <c>--Serve:Model=…</c>).</summary>
public sealed class ServeOptions
{
    /// <summary>The .onnx file written by <c>OnnxExport.Save</c>.</summary>
    public string Model { get; set; } = "";

    /// <summary>Largest request body accepted, in bytes (default 4 MiB); a larger one gets 413 before it is read.</summary>
    public long MaxRequestBytes { get; set; } = 4 << 20;

    /// <summary>Largest image side accepted, in pixels (default 4096); checked from the header before decoding.</summary>
    public int MaxImageSide { get; set; } = 4096;

    /// <summary>How a non-square request image is made square; set it to what the model was trained with (<c>ImageFolderOptions.Fit</c>; default centre crop).</summary>
    public Dwf.Robustness.Images.ImageFit Fit { get; set; } = Dwf.Robustness.Images.ImageFit.CentreCrop;

    /// <summary>The side images are resized to when the model file does not record one.</summary>
    public int DefaultImageSize { get; set; } = 32;
}
