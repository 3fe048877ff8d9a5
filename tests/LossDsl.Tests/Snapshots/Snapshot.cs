using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;

namespace LossDsl.Tests.Snapshots
{
    /// <summary>Approved-file snapshots. Every snapshot assertion of the test project goes through this
    /// class, so that moving to another library (Verify, ApprovalTests) is a change of this file only.
    /// <list type="bullet">
    /// <item>The approved text of snapshot <c>Name</c> is <c>Approved/Name.approved.cs</c> (or another
    /// extension) in the folder of the calling test file, committed with LF line endings.</item>
    /// <item>On a mismatch, or when no approved file exists, the text is written to
    /// <c>Approved/Name.received.cs</c> (git-ignored) and the test fails with a line diff.</item>
    /// <item>With <c>LOSSDSL_ACCEPT_SNAPSHOTS=1</c> in the environment, the received text overwrites the
    /// approved file and the test passes. Review the change with <c>git diff</c>.</item>
    /// </list></summary>
    /// <remarks>Approved <c>.cs</c> files are not compiled: the test project excludes
    /// <c>Snapshots/Approved/**</c> from <c>Compile</c>.</remarks>
    public static class Snapshot
    {
        /// <summary>Set to <c>1</c> to accept every received snapshot as approved.</summary>
        public const string AcceptVariable = "LOSSDSL_ACCEPT_SNAPSHOTS";

        public const string ApprovedFolder = "Approved";

        /// <summary>Whether this run accepts snapshots (<see cref="AcceptVariable"/> is 1 or true).</summary>
        public static bool Accepting =>
            Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true" or "True" or "TRUE";

        /// <summary>Asserts that <paramref name="actual"/> equals the approved text of <paramref name="name"/>.</summary>
        /// <param name="name">File-name-safe snapshot name, e.g. the hint name without <c>.cs</c>.</param>
        /// <param name="extension">Extension of the approved file: <c>.cs</c> for code, <c>.txt</c> otherwise.</param>
        public static void Match(string actual, string name, string extension = ".cs", [CallerFilePath] string callerFile = "") =>
            MatchIn(ApprovedDirectory(callerFile), name, extension, actual, Accepting);

        /// <summary><see cref="Match"/> in a given folder, accepting or not (tests of this class use it).</summary>
        internal static void MatchIn(string directory, string name, string extension, string actual, bool accept)
        {
            var approvedPath = Path.Combine(directory, name + ".approved" + extension);
            var receivedPath = Path.Combine(directory, name + ".received" + extension);
            var received = Normalize(actual);
            var approved = File.Exists(approvedPath) ? Normalize(File.ReadAllText(approvedPath)) : null;

            if (approved == received)
            {
                if (File.Exists(receivedPath)) File.Delete(receivedPath);
                return;
            }
            if (accept)
            {
                Directory.CreateDirectory(directory);
                File.WriteAllText(approvedPath, received, Utf8);
                if (File.Exists(receivedPath)) File.Delete(receivedPath);
                return;
            }

            Directory.CreateDirectory(directory);
            File.WriteAllText(receivedPath, received, Utf8);
            var message = new StringBuilder();
            if (approved is null)
            {
                message.Append($"Snapshot '{name}' has no approved file {Relative(approvedPath)}.\n");
                message.Append($"Received: {Relative(receivedPath)}\n");
            }
            else
            {
                message.Append($"Snapshot '{name}' differs from {Relative(approvedPath)}.\n");
                message.Append($"Received: {Relative(receivedPath)}\n");
                message.Append("--- approved\n+++ received\n");
                message.Append(LineDiff.Unified(approved, received));
            }
            message.Append($"If the change is intended, accept it: {AcceptVariable}=1 dotnet test ... (then review git diff).");
            throw new Xunit.Sdk.XunitException(message.ToString());
        }

        /// <summary>The names of the approved snapshots with <paramref name="extension"/> next to the calling test file.</summary>
        public static IReadOnlyList<string> ApprovedNames(string extension = ".cs", [CallerFilePath] string callerFile = "")
        {
            var directory = ApprovedDirectory(callerFile);
            var suffix = ".approved" + extension;
            return Directory.Exists(directory)
                ? Directory.GetFiles(directory, "*" + suffix)
                    .Select(p => Path.GetFileName(p))
                    .Select(f => f.Substring(0, f.Length - suffix.Length))
                    .OrderBy(n => n, StringComparer.Ordinal)
                    .ToList()
                : new List<string>();
        }

        /// <summary>Fails on approved files that no test produces any more (a renamed loss, say); in accept
        /// mode deletes them instead.</summary>
        public static void NoOrphans(IEnumerable<string> expectedNames, string extension = ".cs", [CallerFilePath] string callerFile = "")
        {
            var expected = new HashSet<string>(expectedNames, StringComparer.Ordinal);
            var orphans = ApprovedNames(extension, callerFile).Where(n => !expected.Contains(n)).ToList();
            if (orphans.Count == 0) return;
            var directory = ApprovedDirectory(callerFile);
            if (Accepting)
            {
                foreach (var orphan in orphans) File.Delete(Path.Combine(directory, orphan + ".approved" + extension));
                return;
            }
            throw new Xunit.Sdk.XunitException(
                $"Approved snapshots that no test produces (delete them, or run with {AcceptVariable}=1):\n  " +
                string.Join("\n  ", orphans.Select(o => Relative(Path.Combine(directory, o + ".approved" + extension)))));
        }

        /// <summary><c>Approved/</c> next to the calling source file. With mapped source paths
        /// (<c>/_/...</c>, deterministic CI builds) the repository root is found from the test binaries.</summary>
        public static string ApprovedDirectory([CallerFilePath] string callerFile = "")
        {
            var directory = Path.GetDirectoryName(callerFile) ?? "";
            if (!Directory.Exists(directory) && RepositoryRoot.Find() is { } root)
            {
                var relative = callerFile.Replace('\\', '/');
                if (relative.StartsWith("/_/", StringComparison.Ordinal)) relative = relative.Substring(3);
                directory = Path.GetDirectoryName(Path.Combine(root, relative)) ?? directory;
            }
            if (!Directory.Exists(directory))
                throw new InvalidOperationException($"Cannot find the folder of '{callerFile}' to keep snapshots in.");
            return Path.Combine(directory, ApprovedFolder);
        }

        private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

        private static string Normalize(string text) => text.Replace("\r\n", "\n");

        private static string Relative(string path) =>
            RepositoryRoot.Find() is { } root && path.StartsWith(root, StringComparison.Ordinal)
                ? path.Substring(root.Length).TrimStart(Path.DirectorySeparatorChar, '/')
                : path;
    }

    /// <summary>The repository root: the folder holding LossDsl.sln, found by walking up from the test binaries.</summary>
    public static class RepositoryRoot
    {
        private static readonly Lazy<string?> Root = new(() => Above(AppContext.BaseDirectory) ?? Above(Path.GetDirectoryName(ThisFile()) ?? ""));

        private static string? Above(string start)
        {
            for (var d = Directory.Exists(start) ? new DirectoryInfo(start) : null; d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "LossDsl.sln"))) return d.FullName;
            return null;
        }

        // Where this file was compiled from: the checkout, when the binaries run from elsewhere.
        private static string ThisFile([CallerFilePath] string path = "") => path;

        /// <summary>The root, or null when the tests run outside a checkout.</summary>
        public static string? Find() => Root.Value;
    }

    /// <summary>A line diff in the unified style: <c>@@ -a,n +b,m @@</c> hunks with context lines.</summary>
    public static class LineDiff
    {
        public static string Unified(string before, string after, int context = 3, int maxLines = 120)
        {
            var a = before.Split('\n');
            var b = after.Split('\n');
            var edits = Edits(a, b);
            var changes = Enumerable.Range(0, edits.Count).Where(k => edits[k].Kind != ' ').ToList();
            var output = new StringBuilder();
            var lines = 0;
            var c = 0;
            while (c < changes.Count)
            {
                // One hunk: changes less than 2·context lines apart, with context lines around them.
                var last = c;
                while (last + 1 < changes.Count && changes[last + 1] - changes[last] <= 2 * context) last++;
                var start = Math.Max(0, changes[c] - context);
                var stop = Math.Min(edits.Count, changes[last] + context + 1);
                var hunk = edits.Skip(start).Take(stop - start).ToList();
                output.Append($"@@ -{edits[start].OldLine + 1},{hunk.Count(e => e.Kind != '+')} +{edits[start].NewLine + 1},{hunk.Count(e => e.Kind != '-')} @@\n");
                foreach (var edit in hunk)
                {
                    if (++lines > maxLines)
                    {
                        output.Append("... (diff truncated; compare the received and approved files)\n");
                        return output.ToString();
                    }
                    output.Append(edit.Kind).Append(edit.Text).Append('\n');
                }
                c = last + 1;
            }
            return output.ToString();
        }

        private readonly record struct Edit(char Kind, string Text, int OldLine, int NewLine);

        /// <summary>The shortest edit script by longest common subsequence (files here are a few hundred lines).</summary>
        private static List<Edit> Edits(string[] a, string[] b)
        {
            // Trim the common head and tail first: a snapshot change is usually a few lines.
            var head = 0;
            while (head < a.Length && head < b.Length && a[head] == b[head]) head++;
            var tail = 0;
            while (tail < a.Length - head && tail < b.Length - head && a[a.Length - 1 - tail] == b[b.Length - 1 - tail]) tail++;
            int n = a.Length - head - tail, m = b.Length - head - tail;

            var edits = new List<Edit>();
            for (var k = 0; k < head; k++) edits.Add(new Edit(' ', a[k], k, k));
            if ((long)n * m > 4_000_000)
            {
                // Too big to align: all old lines out, all new lines in.
                for (var k = 0; k < n; k++) edits.Add(new Edit('-', a[head + k], head + k, head));
                for (var k = 0; k < m; k++) edits.Add(new Edit('+', b[head + k], head + n, head + k));
            }
            else
            {
                var lcs = new int[n + 1, m + 1];
                for (var x = n - 1; x >= 0; x--)
                    for (var y = m - 1; y >= 0; y--)
                        lcs[x, y] = a[head + x] == b[head + y] ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
                int i = 0, j = 0;
                while (i < n || j < m)
                {
                    if (i < n && j < m && a[head + i] == b[head + j]) { edits.Add(new Edit(' ', a[head + i], head + i, head + j)); i++; j++; }
                    else if (i < n && (j == m || lcs[i + 1, j] >= lcs[i, j + 1])) { edits.Add(new Edit('-', a[head + i], head + i, head + j)); i++; }
                    else { edits.Add(new Edit('+', b[head + j], head + i, head + j)); j++; }
                }
            }
            for (var k = 0; k < tail; k++)
                edits.Add(new Edit(' ', a[a.Length - tail + k], a.Length - tail + k, b.Length - tail + k));
            return edits;
        }
    }
}
