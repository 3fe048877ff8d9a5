using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>One term of a computed loss.</summary>
/// <param name="Name">The term's name (its <c>[Term]</c> method).</param>
/// <param name="Weight">The term's weight.</param>
/// <param name="Raw">The term's value before weighting, a 0-d tensor.</param>
/// <param name="Weighted"><c>Weight · Raw</c>, a 0-d tensor.</param>
public sealed record TermValue(string Name, double Weight, Tensor Raw, Tensor Weighted);

/// <summary>What <see cref="ILoss.Compute"/> returns: the total (with its autograd graph) and every
/// term, raw and weighted. Disposing it disposes all of these tensors.</summary>
public sealed class LossResult : IDisposable
{
    /// <summary>Creates a result owning <paramref name="total"/> and the tensors of <paramref name="terms"/>.</summary>
    public LossResult(Tensor total, IReadOnlyList<TermValue> terms)
    {
        Total = total ?? throw new ArgumentNullException(nameof(total));
        Terms = terms ?? throw new ArgumentNullException(nameof(terms));
    }

    /// <summary><c>Σ Weighted</c> over the terms, a 0-d tensor; call <c>backward()</c> on it.</summary>
    public Tensor Total { get; }

    /// <summary>The terms in declaration order.</summary>
    public IReadOnlyList<TermValue> Terms { get; }

    /// <summary>The term named <paramref name="termName"/>.</summary>
    /// <exception cref="KeyNotFoundException">No term has that name; the message lists the terms.</exception>
    public TermValue this[string termName] =>
        Terms.FirstOrDefault(t => t.Name == termName)
        ?? throw new KeyNotFoundException(
            $"No term '{termName}' in this loss; its terms are: {string.Join(", ", Terms.Select(t => t.Name))}.");

    /// <summary>Disposes the total and every term's tensors (disposing a tensor twice is harmless).</summary>
    public void Dispose()
    {
        Total.Dispose();
        foreach (var term in Terms)
        {
            term.Raw.Dispose();
            term.Weighted.Dispose();
        }
    }
}
