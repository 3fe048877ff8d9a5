using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using LossDsl.Build;

namespace LossDsl.Tests.Native;

// Tests the ELF logic of src/Runtime/build/PatchLibTorchSharp.cs (linked into this project)
// on a temp copy of the output's libLibTorchSharp.so.
public sealed class ElfVersionPatcherTests : IDisposable
{
    const string Version = "GLIBCXX_3.4.32";
    readonly string _dir = Directory.CreateTempSubdirectory("lossdsl-elf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string? OutputLib() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).FirstOrDefault();

    // Copy of the output library with the weak flag cleared, i.e. as shipped in the package.
    string UnpatchedCopy(string name)
    {
        byte[] elf = File.ReadAllBytes(OutputLib()!);
        int flagsAt = ElfVersionPatcher.FindVernauxFlags(elf, Version, out _);
        Assert.True(flagsAt > 0);
        elf[flagsAt] &= unchecked((byte)~ElfVersionPatcher.VerFlgWeak);
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, elf);
        return path;
    }

    static ushort Flags(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        int at = ElfVersionPatcher.FindVernauxFlags(elf, Version, out _);
        return (ushort)(elf[at] | elf[at + 1] << 8);
    }

    [Fact]
    public void MakeWeak_SetsFlagOnce_ThenLeavesFileByteIdentical()
    {
        if (OutputLib() is null) return; // TorchSharp-cpu ships this .so for linux-x64 only
        string path = UnpatchedCopy("lib.so");
        byte[] before = File.ReadAllBytes(path);

        Assert.Equal(ElfPatchResult.Patched, ElfVersionPatcher.MakeWeak(path, Version));
        byte[] patched = File.ReadAllBytes(path);
        Assert.Equal(ElfVersionPatcher.VerFlgWeak, Flags(path) & ElfVersionPatcher.VerFlgWeak);
        Assert.Equal(before.Length, patched.Length);
        Assert.Equal(1, before.Zip(patched).Count(b => b.First != b.Second)); // only the flag byte

        DateTime mtime = File.GetLastWriteTimeUtc(path);
        Assert.Equal(ElfPatchResult.AlreadyWeak, ElfVersionPatcher.MakeWeak(path, Version));
        Assert.Equal(patched, File.ReadAllBytes(path));
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void MakeWeak_ReplacesSymlinkWithCopy_LeavingTargetUntouched()
    {
        if (OutputLib() is null || RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
        string target = UnpatchedCopy("cache.so");
        byte[] original = File.ReadAllBytes(target);
        string link = Path.Combine(_dir, "link.so");
        File.CreateSymbolicLink(link, target);

        Assert.Equal(ElfPatchResult.Patched, ElfVersionPatcher.MakeWeak(link, Version));
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.Equal(original, File.ReadAllBytes(target));
        Assert.Equal(ElfVersionPatcher.VerFlgWeak, Flags(link) & ElfVersionPatcher.VerFlgWeak);
    }

    // The build step patches only when the system libstdc++ lacks the version; check that probe.
    [Fact]
    public void SystemLibStdCxx_IsFound_AndVersionProbeWorks()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return;
        string? lib = ElfVersionPatcher.FindSystemLibStdCxx();
        Assert.NotNull(lib);
        Assert.True(ElfVersionPatcher.DefinesVersion(lib!, "GLIBCXX_3.4"));
        Assert.False(ElfVersionPatcher.DefinesVersion(lib!, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void MakeWeak_LeavesNonElfAndMissingEntryAlone()
    {
        string text = Path.Combine(_dir, "not-elf.so");
        File.WriteAllText(text, "not an ELF file");
        Assert.Equal(ElfPatchResult.NotElf64LittleEndian, ElfVersionPatcher.MakeWeak(text, Version));
        Assert.Equal("not an ELF file", File.ReadAllText(text));

        string truncated = Path.Combine(_dir, "truncated.so");
        File.WriteAllBytes(truncated, new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1 }.Concat(new byte[200]).ToArray());
        Assert.Equal(ElfPatchResult.NoVerneedSection, ElfVersionPatcher.MakeWeak(truncated, Version));

        if (OutputLib() is null) return;
        string lib = UnpatchedCopy("lib.so");
        Assert.Equal(ElfPatchResult.VersionNotFound, ElfVersionPatcher.MakeWeak(lib, "GLIBCXX_9.9.99"));
    }
}
