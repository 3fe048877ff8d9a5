using System.IO;

namespace LossDsl.Cli;

/// <summary>Writes one aligned line per case:
/// <c>PASS  name  NtXent(Temperature=0.07)  max rel err 3.1e-15</c>, <c>FAIL  …</c>, <c>SKIP  name  not yet supported: …</c>;
/// with <c>--verbose</c>, every compared quantity under it and exception details on the error writer.</summary>
internal sealed class Report(TextWriter output, TextWriter error, bool verbose, int nameWidth, int labelWidth)
{
    public void Write(CaseOutcome outcome)
    {
        var tag = outcome.Verdict switch { Verdict.Pass => "PASS", Verdict.Fail => "FAIL", _ => "SKIP" };
        var line = $"{tag}  {outcome.Name.PadRight(nameWidth)}  ";
        line += outcome.Label is null ? outcome.Message : $"{outcome.Label.PadRight(labelWidth)}  {outcome.Message}";
        output.WriteLine(line.TrimEnd());
        if (verbose)
        {
            foreach (var c in outcome.Comparisons)
                output.WriteLine($"      {c.What,-20} rel err {CaseOutcome.FormatError(c.Error),-8}  {c.Detail}".TrimEnd());
            if (outcome.Exception is { } e) error.WriteLine($"lossdsl: {outcome.Name}: {e}");
        }
        output.Flush();
    }
}
