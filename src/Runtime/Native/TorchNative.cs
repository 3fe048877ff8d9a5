using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using LossDsl.Build;

namespace LossDsl.Runtime;

/// <summary>TorchSharp's native library, loaded with an explanation when it cannot be.</summary>
/// <remarks>TorchSharp 0.107's <c>libLibTorchSharp.so</c> requires <c>GLIBCXX_3.4.32</c>, which the libstdc++ of
/// Debian 12 and Ubuntu 22.04 lacks; TorchSharp then reports that the application "doesn't contain a reference to
/// libtorch-cpu-linux-x64", which sends people the wrong way. LossDsl's build step (the package's buildTransitive
/// targets, or <c>src/LossDsl.targets</c>) marks that one requirement weak in the build output; this class says
/// what happened when a copy was left unpatched.</remarks>
public static class TorchNative
{
    /// <summary>The libstdc++ symbol version TorchSharp 0.107's native library asks for.</summary>
    public const string RequiredGlibcxx = "GLIBCXX_3.4.32";

    /// <summary>Initialises TorchSharp's native backend (libtorch on the CPU), as its first use would. When that
    /// fails, throws an <see cref="InvalidOperationException"/> whose message says why, when LossDsl can tell (a
    /// libstdc++ too old for an unpatched <c>libLibTorchSharp.so</c>), and what to do; TorchSharp's exception is
    /// the inner one. Call it first thing in a program.</summary>
    public static void EnsureLoaded()
    {
        try
        {
            TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
        }
        catch (Exception ex) when (Explain(AppContext.BaseDirectory) is { } explanation)
        {
            throw new InvalidOperationException(explanation, ex);
        }
    }

    /// <summary>Why TorchSharp's native library in <paramref name="applicationDirectory"/> cannot load on this
    /// machine and what to do, or null when LossDsl finds no reason (not Linux, no such library, the requirement
    /// already weak, or a libstdc++ that has the version).</summary>
    public static string? Explain(string applicationDirectory)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return null;
        var libstdcxx = ElfVersionPatcher.FindSystemLibStdCxx();
        foreach (var library in Candidates(applicationDirectory))
            if (Explain(library, libstdcxx) is { } explanation) return explanation;
        return null;
    }

    /// <summary>The explanation for one <c>libLibTorchSharp.so</c> against one libstdc++ (null for none found).</summary>
    public static string? Explain(string libTorchSharp, string? libstdcxx)
    {
        if (!File.Exists(libTorchSharp)) return null;
        byte[] elf;
        try { elf = File.ReadAllBytes(libTorchSharp); }
        catch (IOException) { return null; }
        var flagsAt = ElfVersionPatcher.FindVernauxFlags(elf, RequiredGlibcxx, out _);
        if (flagsAt < 0 || (elf[flagsAt] & ElfVersionPatcher.VerFlgWeak) != 0) return null;
        if (libstdcxx is not null && ElfVersionPatcher.DefinesVersion(libstdcxx, RequiredGlibcxx)) return null;
        var system = libstdcxx is null ? "no system libstdc++.so.6 was found" : $"the system's {libstdcxx} does not define it";
        return
            $"TorchSharp's native library cannot load: {libTorchSharp} requires {RequiredGlibcxx} and {system} " +
            "(Debian 12 and Ubuntu 22.04 ship an older libstdc++). LossDsl's build step marks that one requirement " +
            "weak in the build output, which lets the library load, but this copy was not patched: the project was " +
            "built with -p:LossDslPatchLibTorchSharp=false, or on a machine whose libstdc++ has the version (then " +
            "copied here), or does not import LossDsl's build targets. To fix it: rebuild or republish on this " +
            "machine with the LossDsl package referenced (its buildTransitive targets patch the copy), or, for a " +
            "project that references LossDsl's source projects, add <Import Project=\"path/to/lossdsl/src/LossDsl.targets\" />; " +
            "or install a libstdc++ from GCC 13 or newer.";
    }

    private static IEnumerable<string> Candidates(string directory)
    {
        yield return Path.Combine(directory, "libLibTorchSharp.so");
        var runtimes = Path.Combine(directory, "runtimes");
        if (!Directory.Exists(runtimes)) yield break;
        foreach (var rid in Directory.EnumerateDirectories(runtimes).Where(d => Path.GetFileName(d).StartsWith("linux", StringComparison.Ordinal)))
            yield return Path.Combine(rid, "native", "libLibTorchSharp.so");
    }
}
