using System.Runtime.InteropServices;
using Dwf.Robustness.Numerics;

namespace Dwf.Robustness.Tests.Numerics;

public class LibTorchSettingsTests
{
    [Fact]
    public unsafe void Apply_LinuxLibTorch_TurnsNnpackOffAsLibTorchReportsIt()
    {
        LibTorchSettings.Apply().Should().BeTrue("libtorch_cpu exports at::Context::setUserEnabledNNPACK on Linux x64");
        LibTorchSettings.NnpackDisabled.Should().BeTrue();
        // Read back through libtorch's own getter, not through the library's flag.
        NativeLibrary.TryLoad("libtorch_cpu.so", typeof(LibTorchSettings).Assembly, null, out var library).Should().BeTrue();
        var context = ((delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(library, "_ZN2at13globalContextEv"))();
        byte enabled = ((delegate* unmanaged<IntPtr, byte>)NativeLibrary.GetExport(library, "_ZNK2at7Context17userEnabledNNPACKEv"))(context);
        enabled.Should().Be(0);
    }
}
