using System.Runtime.InteropServices;

namespace Dwf.Robustness.Numerics;

/// <summary>
/// Process-wide libtorch settings the library applies once, before its first model or attack: NNPACK off. On CPUs
/// where NNPACK cannot start, libtorch 2.10 tries it for every convolution oneDNN declines and logs
/// <c>Could not initialize NNPACK! Reason: Unsupported hardware.</c> each time (58,226 lines in one run); where it can
/// start, it is a third convolution kernel beside oneDNN and libtorch's own, checked nowhere here.
/// </summary>
/// <remarks>
/// TorchSharp binds no switch for it, so <c>at::Context::setUserEnabledNNPACK(bool)</c> is called on
/// <c>at::globalContext()</c> from <c>libtorch_cpu</c>. Where either symbol is missing (another libtorch build, a CUDA
/// backend that names the library differently) nothing is changed and <see cref="NnpackDisabled"/> stays false.
/// </remarks>
public static class LibTorchSettings
{
    private static readonly Lazy<bool> Applied = new(DisableNnpack, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<OneDnnSwitch?> OneDnn = new(FindOneDnnSwitch, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly ReaderWriterLockSlim KernelGate = new(LockRecursionPolicy.SupportsRecursion);

    /// <summary>libtorch's global oneDNN switch (<c>at::Context::setUserEnabledMkldnn</c> and its getter).</summary>
    private sealed record OneDnnSwitch(IntPtr Context, IntPtr Get, IntPtr Set);

    /// <summary>Whether <see cref="WithoutOneDnn{T}"/> can run here (the switch is exported by the loaded libtorch).</summary>
    internal static bool CanDisableOneDnn => OneDnn.Value is not null;

    /// <summary>
    /// Runs <paramref name="body"/> with oneDNN off, so libtorch computes on its own kernels (those it runs float64
    /// on), and turns it back on after. The switch is process-wide, so it waits until no other thread is inside a
    /// <see cref="HoldKernels"/> section and holds new ones back while it runs: an evaluation on another thread never
    /// sees its kernels change under it (a thread computing outside such a section would get the same values up to
    /// rounding, only slower).
    /// </summary>
    /// <exception cref="InvalidOperationException">The loaded libtorch has no such switch (<see cref="CanDisableOneDnn"/>).</exception>
    /// <exception cref="LockRecursionException">Called inside a <see cref="HoldKernels"/> section of the same thread (a bug: it would wait for itself).</exception>
    internal static unsafe T WithoutOneDnn<T>(Func<T> body)
    {
        var onednn = OneDnn.Value ?? throw new InvalidOperationException("The loaded libtorch exports no at::Context::setUserEnabledMkldnn; oneDNN cannot be turned off here.");
        KernelGate.EnterWriteLock();
        try
        {
            byte before = ((delegate* unmanaged<IntPtr, byte>)onednn.Get)(onednn.Context);
            ((delegate* unmanaged<IntPtr, byte, void>)onednn.Set)(onednn.Context, 0);
            try
            {
                return body();
            }
            finally
            {
                ((delegate* unmanaged<IntPtr, byte, void>)onednn.Set)(onednn.Context, before);
            }
        }
        finally
        {
            KernelGate.ExitWriteLock();
        }
    }

    /// <summary>
    /// A section of computation whose results must not depend on other threads: until it is disposed,
    /// <see cref="WithoutOneDnn{T}"/> on another thread waits (the evaluator holds one per batch, so evaluations on
    /// several threads give the same outcomes as one after another). Sections of several threads run side by side;
    /// dispose it on the thread that took it.
    /// </summary>
    internal static KernelHold HoldKernels()
    {
        KernelGate.EnterReadLock();
        return default;
    }

    /// <summary>Whether this thread is inside a <see cref="HoldKernels"/> section.</summary>
    internal static bool KernelsHeldHere => KernelGate.IsReadLockHeld;

    /// <summary>An open <see cref="HoldKernels"/> section; disposing it ends the section.</summary>
    internal readonly struct KernelHold : IDisposable
    {
        /// <summary>Ends the section.</summary>
        public void Dispose() => KernelGate.ExitReadLock();
    }

    /// <summary>True when NNPACK was turned off in this process (after <see cref="Apply"/>).</summary>
    public static bool NnpackDisabled => Applied.IsValueCreated && Applied.Value;

    /// <summary>Applies the settings once per process; later calls return at once. Never throws.</summary>
    /// <returns>Whether NNPACK is off.</returns>
    public static bool Apply() => Applied.Value;

    private static unsafe bool DisableNnpack()
    {
        if (Export("_ZN2at7Context20setUserEnabledNNPACKEb") is not var (context, setNnpack))
        {
            return false;
        }

        ((delegate* unmanaged<IntPtr, byte, void>)setNnpack)(context, 0);
        return true;
    }

    private static OneDnnSwitch? FindOneDnnSwitch() =>
        Export("_ZNK2at7Context17userEnabledMkldnnEv") is var (context, get) && Export("_ZN2at7Context20setUserEnabledMkldnnEb") is var (_, set)
            ? new OneDnnSwitch(context, get, set)
            : null;

    /// <summary>libtorch's global context and the named member function of it, or null where either is missing.</summary>
    private static unsafe (IntPtr Context, IntPtr Function)? Export(string symbol)
    {
        try
        {
            // Loads libtorch through TorchSharp first, so the library below is the one TorchSharp uses.
            TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
            foreach (string name in new[] { "libtorch_cpu.so", "libtorch_cpu.dylib", "libtorch.so" })
            {
                if (NativeLibrary.TryLoad(name, typeof(LibTorchSettings).Assembly, null, out var library)
                    && NativeLibrary.TryGetExport(library, "_ZN2at13globalContextEv", out var globalContext)
                    && NativeLibrary.TryGetExport(library, symbol, out var function))
                {
                    return (((delegate* unmanaged<IntPtr>)globalContext)(), function);
                }
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException or InvalidOperationException)
        {
            // No usable libtorch here: the first tensor operation reports that in TorchSharp's words.
        }

        return null;
    }
}
