using System;
using System.IO;

namespace LossDsl.Tests.Snapshots
{
    /// <summary>The snapshot helper itself, in a temporary folder: a mismatch writes the received file and
    /// fails with a diff; accepting overwrites the approved file; a match cleans up.</summary>
    public sealed class SnapshotTests : IDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "lossdsl-snapshot-" + Guid.NewGuid().ToString("N"));

        private string Approved => Path.Combine(_directory, "Sample.g.approved.cs");
        private string Received => Path.Combine(_directory, "Sample.g.received.cs");

        public void Dispose()
        {
            if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        }

        [Fact]
        public void A_changed_line_fails_with_a_diff_and_writes_the_received_file()
        {
            Directory.CreateDirectory(_directory);
            File.WriteAllText(Approved, "a\nb\nc\nd\ne\nf\ng\nh\n");

            var error = Assert.ThrowsAny<Exception>(() =>
                Snapshot.MatchIn(_directory, "Sample.g", ".cs", "a\nb\nc\nd\nE\nf\ng\nh\n", accept: false));

            Assert.Contains("Snapshot 'Sample.g' differs", error.Message);
            Assert.Contains("@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n", error.Message);
            Assert.Contains(Snapshot.AcceptVariable + "=1", error.Message);
            Assert.Equal("a\nb\nc\nd\nE\nf\ng\nh\n", File.ReadAllText(Received));
            Assert.Equal("a\nb\nc\nd\ne\nf\ng\nh\n", File.ReadAllText(Approved));
        }

        [Fact]
        public void A_missing_approved_file_fails_and_writes_the_received_file()
        {
            var error = Assert.ThrowsAny<Exception>(() => Snapshot.MatchIn(_directory, "Sample.g", ".cs", "new\n", accept: false));

            Assert.Contains("has no approved file", error.Message);
            Assert.Equal("new\n", File.ReadAllText(Received));
            Assert.False(File.Exists(Approved));
        }

        [Fact]
        public void Accepting_overwrites_the_approved_file_and_passes()
        {
            Directory.CreateDirectory(_directory);
            File.WriteAllText(Approved, "old\n");
            File.WriteAllText(Received, "stale\n");

            Snapshot.MatchIn(_directory, "Sample.g", ".cs", "new\r\n", accept: true);

            Assert.Equal("new\n", File.ReadAllText(Approved));
            Assert.False(File.Exists(Received));
        }

        [Fact]
        public void A_match_passes_and_removes_a_stale_received_file()
        {
            Directory.CreateDirectory(_directory);
            File.WriteAllText(Approved, "same\r\n");
            File.WriteAllText(Received, "stale\n");

            Snapshot.MatchIn(_directory, "Sample.g", ".cs", "same\n", accept: false);

            Assert.False(File.Exists(Received));
        }

        [Fact]
        public void The_diff_shows_insertions_and_deletions_in_separate_hunks()
        {
            var before = string.Join("\n", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15");
            var after = string.Join("\n", "1", "inserted", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "14", "15");

            var diff = LineDiff.Unified(before, after, context: 1);

            Assert.Equal("@@ -1,2 +1,3 @@\n 1\n+inserted\n 2\n@@ -12,3 +13,2 @@\n 12\n-13\n 14\n", diff);
        }
    }
}
