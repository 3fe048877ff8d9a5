using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace LossDsl.Cli;

/// <summary><c>lossdsl check CASES.json</c>: maps every case's reference to a LossDsl loss, evaluates it and
/// prints one line per case, then <c>N passed, M failed, K unsupported</c>.</summary>
public static class CheckCommand
{
    /// <summary>Exit status: every case passed.</summary>
    public const int Success = 0;

    /// <summary>Exit status: some case failed or is unsupported.</summary>
    public const int CasesFailed = 1;

    /// <summary>Exit status: a usage error, or a file that is not a case file.</summary>
    public const int UsageError = 2;

    /// <summary>Runs the command line <paramref name="args"/>, writing results to <paramref name="output"/>
    /// and errors to <paramref name="error"/>; returns the exit status.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        switch (CliOptions.Parse(args))
        {
            case CliOptions.ParseResult.Help:
                output.WriteLine(CliOptions.Usage);
                return Success;
            case CliOptions.ParseResult.Error e:
                error.WriteLine($"lossdsl: {e.Message}");
                error.WriteLine("Usage: lossdsl check <CASES.json> [--tolerance <t>] [--verbose] [--unfused]   (lossdsl --help for more)");
                return UsageError;
            case CliOptions.ParseResult.Run run:
                return Check(run.Options, output, error);
            default:
                throw new InvalidOperationException("unreachable");
        }
    }

    /// <summary>Checks every case of <see cref="CliOptions.CasesPath"/>.</summary>
    public static int Check(CliOptions options, TextWriter output, TextWriter error)
    {
        IReadOnlyList<ReferenceCase> cases;
        try
        {
            cases = CaseFile.Load(options.CasesPath);
        }
        catch (CaseFileException e)
        {
            error.WriteLine($"lossdsl: {e.Message}");
            return UsageError;
        }

        // Map every reference first (cheap, no tensors), so the columns can be aligned.
        var planned = cases.Select(Plan).ToList();
        var report = new Report(output, error, options.Verbose,
            nameWidth: planned.Select(p => p.Case.Name.Length).DefaultIfEmpty(0).Max(),
            labelWidth: planned.Select(p => p.Mapped?.Label.Length ?? 0).DefaultIfEmpty(0).Max());

        int passed = 0, failed = 0, unsupported = 0;
        foreach (var (c, mapped, early) in planned)
        {
            var outcome = early ?? CaseEvaluator.Check(c, mapped!, options.Tolerance, options.Unfused);
            report.Write(outcome);
            switch (outcome.Verdict)
            {
                case Verdict.Pass: passed++; break;
                case Verdict.Fail: failed++; break;
                default: unsupported++; break;
            }
        }

        output.WriteLine($"{passed} passed, {failed} failed, {unsupported} unsupported");
        output.Flush();
        if (cases.Count == 0)
        {
            error.WriteLine($"lossdsl: '{options.CasesPath}' holds no cases; nothing was checked.");
            return CasesFailed;
        }
        return failed == 0 && unsupported == 0 ? Success : CasesFailed;
    }

    /// <summary>A case with its loss, or with its outcome when it cannot be evaluated (unsupported or malformed).</summary>
    private sealed record Planned(ReferenceCase Case, MappedLoss? Mapped, CaseOutcome? Early);

    private static Planned Plan(ReferenceCase c)
    {
        try
        {
            return new Planned(c, ReferenceMap.Resolve(c), null);
        }
        catch (UnsupportedReferenceException e)
        {
            return new Planned(c, null, new CaseOutcome(c.Name, Verdict.Skip, null, "not yet supported: " + e.Reason, Array.Empty<Comparison>()));
        }
        catch (CaseFormatException e)
        {
            return new Planned(c, null, new CaseOutcome(c.Name, Verdict.Fail, null, "malformed case: " + e.Message, Array.Empty<Comparison>(), e));
        }
        catch (Exception e)
        {
            // A loss's constructor or a map entry threw: report it on the case's line like any other failure.
            return new Planned(c, null, new CaseOutcome(c.Name, Verdict.Fail, null,
                $"{e.GetType().Name}: {CaseEvaluator.OneLine(e.Message)}", Array.Empty<Comparison>(), e));
        }
    }
}
