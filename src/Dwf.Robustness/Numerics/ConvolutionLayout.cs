namespace Dwf.Robustness.Numerics;

/// <summary>How a <see cref="ConvolutionCase"/> lays out its tensors.</summary>
public enum ConvolutionLayout
{
    /// <summary>NCHW-contiguous input; the gradient arriving at the output is laid out as the output is.</summary>
    Contiguous,

    /// <summary>Channels-last (NHWC-strided) input, as the library's networks run.</summary>
    ChannelsLast,

    /// <summary>Channels-last input, but the gradient arrives at the output NCHW-contiguous (as after a reshape).</summary>
    ChannelsLastContiguousGradient,
}
