namespace LossDsl.Runtime;

/// <summary>What <c>Compute</c> does with an input value that its kind cannot hold: NaN anywhere, +∞ anywhere, and
/// −∞ outside the log-domain kinds (<c>Logits</c>, <c>LogProbs</c>, <c>Vector</c>, <c>Real</c>, where −∞ is a masked class
/// or an impossible sequence). Whatever the choice, such an input never gives a finite loss silently.</summary>
public enum NonFiniteInputs
{
    /// <summary>The default: every term that reads such an input is NaN (so is the total), even where the term's
    /// selection would not read the offending sample. Costs one on-device pass over each float input, no host
    /// synchronisation. A loss with a host operation (the Hungarian matcher, which cannot carry a NaN) refuses such
    /// inputs instead, as <see cref="Throw"/>.</summary>
    Propagate,

    /// <summary>Refuse the call before computing anything: a <see cref="LossInputException"/> naming the loss, the
    /// term, the input and the first offending entry. Costs one host synchronisation per float input.</summary>
    Throw,

    /// <summary>No check: NaN reaches the value only where the computation reads it (a sample that takes part in no
    /// selected pair does not). For inputs known to be finite.</summary>
    Unchecked,
}
