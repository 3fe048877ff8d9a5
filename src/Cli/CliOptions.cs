using System.Collections.Generic;
using System.Globalization;

namespace LossDsl.Cli;

/// <summary>The parsed command line of <c>lossdsl check</c>.</summary>
/// <param name="CasesPath">The case file to check.</param>
/// <param name="Tolerance">The largest relative error that passes.</param>
/// <param name="Verbose">Print every compared quantity (and exception details) under each case.</param>
/// <param name="Unfused">Run the losses without their fused kernels.</param>
public sealed record CliOptions(string CasesPath, double Tolerance, bool Verbose, bool Unfused)
{
    /// <summary>The default tolerance: float64 re-implementations agree with the references to ~1e-12.</summary>
    public const double DefaultTolerance = 1e-9;

    /// <summary>The text of <c>lossdsl --help</c>.</summary>
    public const string Usage =
        """
        Usage: lossdsl check <CASES.json> [--tolerance <t>] [--verbose] [--unfused]
               lossdsl show <ASSEMBLY.dll> [TYPE]   (prints a loss's generated code; lossdsl show --help)
               lossdsl --help

        Checks LossDsl losses against reference cases: loss values and gradients recorded by
        running PyTorch implementations (the format of tests/LossDsl.Tests/Oracle/cases.json). Each case's
        reference (source.symbol + params) is mapped to a LossDsl loss, which is evaluated in
        float64 on the case's inputs; its value and the gradient of every input in grad_inputs
        are compared with the recorded ones.

        Relative error:
          value      |a - b| / max(|b|, 1e-300)
          gradient   max_k |a_k - b_k| / max(max_k |b_k|, 1e-300)   (normwise, per input)
        where a is LossDsl's result and b the reference. A case passes when every error is
        at most the tolerance.

        Options:
          --tolerance <t>   largest relative error that passes (default 1e-9)
          --verbose, -v     print each compared quantity under its case, and exception details
          --unfused         run the losses without their fused kernels (UseFusedKernels = false)
          --help, -h        show this text

        Output: one line per case (PASS, FAIL or SKIP for references LossDsl does not map yet),
        then "N passed, M failed, K unsupported".
        Exit status: 0 when every case passed; 1 when any case failed or is unsupported;
        2 for a usage error or a file that cannot be read as a case file.
        """;

    /// <summary>What the command line asks for: options to run, help, or a usage error.</summary>
    public abstract record ParseResult
    {
        /// <summary>Run the check.</summary>
        public sealed record Run(CliOptions Options) : ParseResult;

        /// <summary>Print <see cref="Usage"/> and exit 0.</summary>
        public sealed record Help : ParseResult;

        /// <summary>A usage error: print <paramref name="Message"/> and exit 2.</summary>
        public sealed record Error(string Message) : ParseResult;
    }

    /// <summary>Parses <c>check &lt;file&gt; [options]</c> (options may come before or after the file;
    /// <c>--tolerance=1e-9</c> also works).</summary>
    public static ParseResult Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0) return new ParseResult.Error("no command given.");
        if (args[0] == "help") return new ParseResult.Help();
        foreach (var arg in args)
            if (arg is "--help" or "-h") return new ParseResult.Help();
        if (args[0] != "check")
            return new ParseResult.Error($"unknown command '{args[0]}'; the commands are 'check' and 'show'.");

        string? path = null;
        var tolerance = DefaultTolerance;
        bool verbose = false, unfused = false;
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--verbose" or "-v") verbose = true;
            else if (arg == "--unfused") unfused = true;
            else if (arg == "--tolerance" || arg.StartsWith("--tolerance=", System.StringComparison.Ordinal))
            {
                string text;
                if (arg == "--tolerance")
                {
                    if (i + 1 >= args.Count) return new ParseResult.Error("--tolerance needs a value, e.g. --tolerance 1e-9.");
                    text = args[++i];
                }
                else text = arg["--tolerance=".Length..];
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out tolerance)
                    || double.IsNaN(tolerance) || double.IsInfinity(tolerance) || tolerance < 0)
                    return new ParseResult.Error($"--tolerance: '{text}' is not a finite number >= 0.");
            }
            else if (arg.StartsWith('-') && arg != "-")
                return new ParseResult.Error($"unknown option '{arg}'.");
            else if (path is null) path = arg;
            else return new ParseResult.Error($"one case file at a time: got '{path}' and '{arg}'.");
        }
        return path is null
            ? new ParseResult.Error("check needs a case file: lossdsl check <CASES.json>.")
            : new ParseResult.Run(new CliOptions(path, tolerance, verbose, unfused));
    }
}
