using System;
using System.Collections.Generic;
using System.Globalization;

namespace LossDsl.Cli;

/// <summary>What became of one case.</summary>
public enum Verdict
{
    /// <summary>The value and every gradient are within the tolerance.</summary>
    Pass,
    /// <summary>Something is off by more than the tolerance, could not be computed, or the case is malformed.</summary>
    Fail,
    /// <summary>LossDsl has no loss for the case's reference (yet).</summary>
    Skip,
}

/// <summary>One compared quantity: the value (<c>loss</c>) or one gradient (<c>grad embeddings</c>).</summary>
/// <param name="What">Which quantity.</param>
/// <param name="Error">Its relative error (see <see cref="RelativeError"/>).</param>
/// <param name="Detail">More about it, for <c>--verbose</c> (may be empty).</param>
public sealed record Comparison(string What, double Error, string Detail);

/// <summary>The result of checking one case.</summary>
/// <param name="Name">The case's name.</param>
/// <param name="Verdict">Pass, fail or skip.</param>
/// <param name="Label">The LossDsl loss it was mapped to, e.g. <c>NtXent(Temperature=0.07)</c>; null when none.</param>
/// <param name="Message">The rest of the line: the largest error, or why it failed or was skipped.</param>
/// <param name="Comparisons">Every compared quantity (empty when nothing was compared).</param>
/// <param name="Exception">The exception behind a failure, if one was thrown.</param>
public sealed record CaseOutcome(
    string Name, Verdict Verdict, string? Label, string Message,
    IReadOnlyList<Comparison> Comparisons, Exception? Exception = null)
{
    /// <summary>A relative error as <c>3.1e-15</c> (<c>0</c>, <c>inf</c>).</summary>
    public static string FormatError(double error) =>
        error == 0 ? "0"
        : double.IsNaN(error) ? "nan"
        : double.IsPositiveInfinity(error) ? "inf"
        : error.ToString("0.0e-0", CultureInfo.InvariantCulture);

    /// <summary>A tolerance as <c>1e-9</c>.</summary>
    public static string FormatTolerance(double tolerance) =>
        tolerance == 0 ? "0" : tolerance.ToString("0.###e-0", CultureInfo.InvariantCulture);
}
