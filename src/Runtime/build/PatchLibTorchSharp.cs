// Marks one symbol-version requirement of an ELF shared library as weak.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so requires GLIBCXX_3.4.32, but only for
// _ZSt21ios_base_library_initv, which needs no binding. Older system libstdc++ (Debian 12,
// Ubuntu 22.04) lacks that version, so dlopen fails. With VER_FLG_WEAK set on that one
// Vernaux entry the loader tolerates the missing version and the library works.
//
// This one file serves two compilers: RoslynCodeTaskFactory (only one <Code> file allowed,
// netstandard references, no preprocessor symbols) builds the MSBuild task below, and
// tests/LossDsl.Tests links this file to test ElfVersionPatcher without MSBuild references.
// Keep it to netstandard2.0 APIs.
#nullable enable
using System;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace LossDsl.Build
{
    internal enum ElfPatchResult { Patched, AlreadyWeak, NotElf64LittleEndian, NoVerneedSection, VersionNotFound, Malformed }

    internal static class ElfVersionPatcher
    {
        public const ushort VerFlgWeak = 2;
        const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Sets VER_FLG_WEAK on the Vernaux entry named <paramref name="version"/>.
        /// Rewrites the file only when the flag changes, and then via a fresh file renamed over
        /// <paramref name="path"/>, so a hard link or symlink (e.g. into the NuGet cache) is
        /// replaced by a private copy instead of being written through.</summary>
        public static ElfPatchResult MakeWeak(string path, string version)
        {
            byte[] elf = File.ReadAllBytes(path);
            int flagsAt = FindVernauxFlags(elf, version, out ElfPatchResult problem);
            if (flagsAt < 0) return problem;
            ushort flags = U16(elf, flagsAt);
            if ((flags & VerFlgWeak) != 0) return ElfPatchResult.AlreadyWeak;

            WriteU16(elf, flagsAt, (ushort)(flags | VerFlgWeak));
            // Keep the timestamp and size so MSBuild's SkipUnchangedFiles copy does not
            // overwrite the patched file with the package's original on the next build.
            DateTime mtime = File.GetLastWriteTimeUtc(path);
            string tmp = path + ".lossdsl-tmp";
            File.Delete(tmp);
            File.Copy(path, tmp, true);          // new inode that keeps the file mode
            File.WriteAllBytes(tmp, elf);        // only tmp's own inode is written
            File.SetLastWriteTimeUtc(tmp, mtime);
            File.Delete(path);                   // unlinks; never writes into a linked target
            File.Move(tmp, path);
            return ElfPatchResult.Patched;
        }

        /// <summary>File offset of vna_flags for <paramref name="version"/>, or -1 with the reason in <paramref name="problem"/>.</summary>
        public static int FindVernauxFlags(byte[] elf, string version, out ElfPatchResult problem)
        {
            problem = ElfPatchResult.Malformed;
            // e_ident: magic, EI_CLASS=2 (64-bit), EI_DATA=1 (little-endian).
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F'
                || elf[4] != 2 || elf[5] != 1)
            {
                problem = ElfPatchResult.NotElf64LittleEndian;
                return -1;
            }
            try
            {
                long shoff = (long)U64(elf, 0x28);
                int shentsize = U16(elf, 0x3A);
                long shnum = U16(elf, 0x3C);
                problem = ElfPatchResult.NoVerneedSection;
                if (shoff == 0 || shentsize < 64) return -1;
                if (shnum == 0) shnum = (long)U64(elf, Check(elf, shoff, 64) + 32); // extended numbering: count in section 0's sh_size

                for (long i = 0; i < shnum; i++)
                {
                    int sh = Check(elf, shoff + i * shentsize, 64);
                    if (U32(elf, sh + 4) != ShtGnuVerneed) continue;
                    int secOff = Check(elf, (long)U64(elf, sh + 24), (long)U64(elf, sh + 32));
                    uint link = U32(elf, sh + 40);
                    if (link >= shnum) { problem = ElfPatchResult.Malformed; return -1; }
                    int strtab = Check(elf, (long)U64(elf, Check(elf, shoff + link * shentsize, 64) + 24), 0);
                    uint verneedCount = U32(elf, sh + 44); // sh_info = number of Verneed entries

                    long vn = secOff;
                    for (uint n = 0; n < verneedCount; n++)
                    {
                        int v = Check(elf, vn, 16);
                        ushort cnt = U16(elf, v + 2);
                        long vna = v + (long)U32(elf, v + 8);
                        for (int a = 0; a < cnt; a++)
                        {
                            int x = Check(elf, vna, 16);
                            if (CString(elf, strtab + (long)U32(elf, x + 8)) == version)
                                return x + 4;
                            uint next = U32(elf, x + 12);
                            if (next == 0) break;
                            vna += next;
                        }
                        uint vnNext = U32(elf, v + 12);
                        if (vnNext == 0) break;
                        vn += vnNext;
                    }
                    problem = ElfPatchResult.VersionNotFound;
                    return -1;
                }
                return -1; // no SHT_GNU_verneed section
            }
            catch (InvalidDataException)
            {
                problem = ElfPatchResult.Malformed;
                return -1;
            }
        }

        /// <summary>True when the library defines <paramref name="version"/> (its name appears NUL-terminated).</summary>
        public static bool DefinesVersion(string libraryPath, string version)
        {
            byte[] data = File.ReadAllBytes(libraryPath);
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            for (int i = 0; i + needle.Length <= data.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && data[i + j] == needle[j]) j++;
                if (j == needle.Length) return true;
            }
            return false;
        }

        /// <summary>Path of the system libstdc++.so.6, or null when none is found.</summary>
        public static string? FindSystemLibStdCxx()
        {
            string[] dirs =
            {
                "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64",
                "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib", "/lib",
            };
            foreach (string dir in dirs)
            {
                string candidate = Path.Combine(dir, "libstdc++.so.6");
                if (File.Exists(candidate)) return candidate;
            }
            // Fall back to the loader cache: lines look like "libstdc++.so.6 (libc6,x86-64) => /path".
            foreach (string ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig" })
            {
                try
                {
                    var psi = new ProcessStartInfo(ldconfig, "-p") { RedirectStandardOutput = true, UseShellExecute = false };
                    using (Process? p = Process.Start(psi))
                    {
                        if (p == null) continue;
                        string output = p.StandardOutput.ReadToEnd();
                        p.WaitForExit();
                        foreach (string line in output.Split('\n'))
                        {
                            int arrow = line.IndexOf("=>", StringComparison.Ordinal);
                            if (line.TrimStart().StartsWith("libstdc++.so.6 ", StringComparison.Ordinal) && arrow > 0)
                            {
                                string found = line.Substring(arrow + 2).Trim();
                                if (File.Exists(found)) return found;
                            }
                        }
                    }
                }
                catch (Exception) { /* ldconfig missing here; try the next name */ }
            }
            return null;
        }

        static int Check(byte[] b, long offset, long length)
        {
            if (offset < 0 || length < 0 || offset > b.Length || length > b.Length - offset)
                throw new InvalidDataException("ELF offset out of range");
            return (int)offset;
        }

        static string CString(byte[] b, long offset)
        {
            int start = Check(b, offset, 0), end = start;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, start, end - start);
        }

        static ushort U16(byte[] b, long o) { int i = Check(b, o, 2); return (ushort)(b[i] | b[i + 1] << 8); }
        static uint U32(byte[] b, long o) { int i = Check(b, o, 4); return (uint)(b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24); }
        static ulong U64(byte[] b, long o) => U32(b, o) | (ulong)U32(b, o + 4) << 32;
        static void WriteU16(byte[] b, int o, ushort v) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }
    }

#if !NETCOREAPP // only RoslynCodeTaskFactory builds the task; the test project has no MSBuild references
    public class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        const string Version = "GLIBCXX_3.4.32";

        /// <summary>libLibTorchSharp.so copies in an output or publish directory.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

        public override bool Execute()
        {
            if (Files.Length == 0) return true;
            string? libstdcxx = ElfVersionPatcher.FindSystemLibStdCxx();
            if (libstdcxx != null && ElfVersionPatcher.DefinesVersion(libstdcxx, Version))
            {
                Log.LogMessage("LossDsl: {0} provides {1}; libLibTorchSharp.so left as is.", libstdcxx, Version);
                return true;
            }
            if (libstdcxx == null)
                Log.LogMessage("LossDsl: no system libstdc++.so.6 found; patching libLibTorchSharp.so to be safe.");

            foreach (var item in Files)
            {
                string path = item.GetMetadata("FullPath");
                ElfPatchResult result;
                try { result = ElfVersionPatcher.MakeWeak(path, Version); }
                catch (IOException e) { Log.LogWarning("LossDsl: could not patch {0}: {1}", path, e.Message); continue; }
                catch (UnauthorizedAccessException e) { Log.LogWarning("LossDsl: could not patch {0}: {1}", path, e.Message); continue; }

                if (result == ElfPatchResult.Patched)
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        "LossDsl: marked {0} as weak in {1} (system libstdc++ lacks it).", Version, path);
                else if (result == ElfPatchResult.AlreadyWeak)
                    Log.LogMessage("LossDsl: {0} already has {1} marked weak.", path, Version);
                else
                    Log.LogMessage("LossDsl: {0} left as is: {1}.", path, result);
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
