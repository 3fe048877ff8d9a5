using System.Linq;

namespace LossDsl.Tests.Cli;

/// <summary>Issue 12's acceptance: <c>lossdsl check cases.json</c> on the whole reference file.</summary>
public sealed class ReferenceCasesFileTests
{
    /// <summary>IR v2's acceptance: every case of the reference file passes and the command exits 0.</summary>
    [Fact]
    public void Every_case_passes()
    {
        var run = CliRun.Args("check", ReferenceCases.Path);

        var caseLines = run.Lines.Take(run.Lines.Count - 1).ToList();
        Assert.Equal(32, caseLines.Count);
        Assert.All(caseLines, l => Assert.StartsWith("PASS  ", l));
        Assert.Equal("32 passed, 0 failed, 0 unsupported", run.LastLine);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
    }
}
