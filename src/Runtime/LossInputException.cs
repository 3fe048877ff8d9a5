using System;

namespace LossDsl.Runtime;

/// <summary>An input of a loss has the wrong shape, dtype, device or values, or is missing. The
/// message names the loss, the term, the input, what was expected and what was given.</summary>
public sealed class LossInputException : ArgumentException
{
    /// <summary>Creates the exception; <paramref name="message"/> is the full text.</summary>
    public LossInputException(string loss, string term, string input, string expected, string actual, string message)
        : base(message)
    {
        Loss = loss;
        Term = term;
        Input = input;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The loss's name.</summary>
    public string Loss { get; }

    /// <summary>The term that first reads the input (for label ranges: the term that needs them).</summary>
    public string Term { get; }

    /// <summary>The input's name.</summary>
    public string Input { get; }

    /// <summary>What was expected, e.g. <c>[N, C_student] = [12, 10]</c>.</summary>
    public string Expected { get; }

    /// <summary>What was given, e.g. <c>[12, 7]</c>.</summary>
    public string Actual { get; }
}
