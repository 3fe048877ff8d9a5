using System;
using System.IO;
using System.Runtime.InteropServices;
using LossDsl.Build;
using LossDsl.Runtime;

namespace LossDsl.Tests.Native;

/// <summary>When TorchSharp's native library cannot load for want of GLIBCXX_3.4.32, LossDsl says so and what to do.</summary>
public sealed class TorchNativeTests
{
    /// <summary>TorchSharp's own, unpatched copy in the NuGet cache (null when the cache is elsewhere).</summary>
    private static string? Original()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                       ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }

    [Fact]
    public void An_unpatched_library_against_an_old_libstdcxx_is_explained()
    {
        if (Original() is not { } original) return;
        var message = TorchNative.Explain(original, libstdcxx: null);
        Assert.NotNull(message);
        Assert.Contains("requires GLIBCXX_3.4.32", message);
        Assert.Contains("no system libstdc++.so.6 was found", message);
        Assert.Contains("LossDslPatchLibTorchSharp=false", message);
        Assert.Contains("src/LossDsl.targets", message);

        var system = ElfVersionPatcher.FindSystemLibStdCxx();
        if (system is not null && !ElfVersionPatcher.DefinesVersion(system, TorchNative.RequiredGlibcxx))
            Assert.Contains($"the system's {system} does not define it", TorchNative.Explain(original, system));
    }

    [Fact]
    public void A_libstdcxx_with_the_version_or_a_patched_library_needs_no_explanation()
    {
        if (Original() is not { } original) return;
        var recent = Path.GetTempFileName();
        try
        {
            File.WriteAllText(recent, "... GLIBCXX_3.4.32\0 ...");
            Assert.Null(TorchNative.Explain(original, recent));
        }
        finally { File.Delete(recent); }

        var patched = Path.GetTempFileName();
        try
        {
            File.Copy(original, patched, overwrite: true);
            Assert.Equal(ElfPatchResult.Patched, ElfVersionPatcher.MakeWeak(patched, TorchNative.RequiredGlibcxx));
            Assert.Null(TorchNative.Explain(patched, libstdcxx: null));
        }
        finally { File.Delete(patched); }
    }

    [Fact]
    public void The_test_hosts_own_copy_loads()
    {
        TorchNative.EnsureLoaded();
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            Assert.Null(TorchNative.Explain(AppContext.BaseDirectory));
    }
}
