using System;

namespace LossDsl.Runtime;

/// <summary>A hyper-parameter of a loss has a value the loss cannot use (a NaN, or a temperature that is not a
/// positive finite number). The message names the loss, the hyper-parameter and the value.</summary>
public sealed class LossHyperException : ArgumentException
{
    /// <summary>Creates the exception; <paramref name="message"/> is the full text.</summary>
    public LossHyperException(string loss, string hyper, double value, string message) : base(message)
    {
        Loss = loss;
        Hyper = hyper;
        Value = value;
    }

    /// <summary>The loss's name.</summary>
    public string Loss { get; }

    /// <summary>The hyper-parameter's name.</summary>
    public string Hyper { get; }

    /// <summary>The value refused.</summary>
    public double Value { get; }
}
