using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using LossDsl.Runtime;
using LossDsl.Tests.Runtime;
using LossDsl.Tests.Snapshots;

namespace LossDsl.Tests.Docs;

/// <summary>docs/zoo.md's "fused" column says what the generator really fuses: "yes (k)" for a loss with k fused
/// regions (<see cref="ILoss.FusedRegions"/>), "no" for none; every zoo loss with a parameterless constructor has a
/// row (in some table). Regenerate the column with <c>LOSSDSL_ACCEPT_SNAPSHOTS=1</c> (this test rewrites it in place).</summary>
public sealed class ZooTableTests
{
    private static string ZooPath => Path.Combine(RepositoryRoot.Find()!, "docs", "zoo.md");
    private static readonly Regex Row = new(@"^\| `(?<name>\w+)` \|.*\| (?<fused>[^|]+) \|\s*$");

    [Fact]
    public void The_fused_column_matches_the_generated_regions()
    {
        var losses = SmallBatchTests.ZooLosses().ToDictionary(l => l.Name);
        var lines = File.ReadAllLines(ZooPath);
        var wrong = new System.Collections.Generic.List<string>();
        var seen = new System.Collections.Generic.HashSet<string>();
        var fusedTable = false;
        for (var k = 0; k < lines.Length; k++)
        {
            // A table's header is the line above its |---| rule; only tables whose last column is "fused" say it.
            if (k + 1 < lines.Length && lines[k].StartsWith("| ", StringComparison.Ordinal) && lines[k + 1].StartsWith("|---", StringComparison.Ordinal))
                fusedTable = lines[k].TrimEnd().EndsWith("| fused |", StringComparison.Ordinal);
            var m = Row.Match(lines[k]);
            if (!m.Success || !losses.TryGetValue(m.Groups["name"].Value, out var loss)) continue;
            seen.Add(loss.Name);
            if (!fusedTable) continue;
            var regions = loss.FusedRegions.Count;
            var expected = regions == 0 ? "no" : $"yes ({regions})";
            var actual = m.Groups["fused"].Value.Trim();
            if (actual == expected) continue;
            wrong.Add($"{loss.Name}: '{actual}', generated {expected}");
            var cell = m.Groups["fused"];
            lines[k] = lines[k][..cell.Index] + expected + lines[k][(cell.Index + cell.Length)..];
        }
        if (wrong.Count > 0 && Environment.GetEnvironmentVariable("LOSSDSL_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllLines(ZooPath, lines);
            return;
        }
        Assert.True(wrong.Count == 0, "docs/zoo.md's fused column is out of date (LOSSDSL_ACCEPT_SNAPSHOTS=1 rewrites it):\n" + string.Join("\n", wrong));
        var missing = losses.Keys.Where(n => !seen.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "Zoo losses without a row in docs/zoo.md: " + string.Join(", ", missing));
    }
}
