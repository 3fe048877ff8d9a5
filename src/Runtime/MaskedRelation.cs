using System;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>A relation seen through a graph: the values of all pairs and which of them count, or (a soft graph)
/// a non-negative weight per pair. The reductions in <see cref="Ops"/> read only the selected pairs.</summary>
public sealed class MaskedRelation
{
    /// <summary>Pairs <paramref name="values"/> <c>[N, M]</c> with <paramref name="graph"/> of the same shape: a
    /// Bool mask, or float weights (pairs with weight ≤ 0 are not selected; a NaN weight is, so it propagates).</summary>
    public MaskedRelation(Tensor values, Tensor graph)
    {
        Values = values ?? throw new ArgumentNullException(nameof(values));
        if (graph is null) throw new ArgumentNullException(nameof(graph));
        if (graph.dtype == ScalarType.Bool)
        {
            Mask = graph;
        }
        else if (graph.is_floating_point())
        {
            Weights = graph;
            Mask = Ops.PositiveOrNaN(graph.detach());
        }
        else
        {
            throw new ArgumentException($"A relation's graph must be Bool or float weights, got {graph.dtype}.", nameof(graph));
        }
    }

    /// <summary>Only the selected pairs (<see cref="Ops.OverPairs"/>): <paramref name="values"/> and
    /// <paramref name="graph"/> are <c>[P]</c>, pair k lies in row <paramref name="rowOfPair"/>[k] of
    /// <paramref name="rowCount"/>. Read by the pair reductions and the row sums and means only.</summary>
    internal MaskedRelation(Tensor values, Tensor graph, Tensor rowOfPair, long rowCount) : this(values, graph)
    {
        RowOfPair = rowOfPair;
        RowCount = rowCount;
    }

    /// <summary>The value of every pair, <c>[N, M]</c> (or of the selected pairs, <c>[P]</c>, when
    /// <see cref="RowOfPair"/> is set).</summary>
    public Tensor Values { get; }

    /// <summary>For a relation kept at its selected pairs only, the row of each pair, <c>[P]</c>; null when every
    /// pair is kept (<c>[N, M]</c>).</summary>
    internal Tensor? RowOfPair { get; }

    /// <summary>The number of rows N when <see cref="RowOfPair"/> is set.</summary>
    internal long RowCount { get; }

    /// <summary>Refuses a relation kept at its selected pairs for <paramref name="operation"/>, which needs every
    /// pair's position (generated code never passes one; see <c>PairChains</c> in the generator).</summary>
    internal void RequireDense(string operation)
    {
        if (RowOfPair is not null)
            throw new InvalidOperationException($"{operation} needs the relation's [N, M] layout, but it was evaluated at its selected pairs only (Ops.OverPairs).");
    }

    /// <summary>Per row, the sum of <paramref name="pairValues"/> <c>[P]</c> over its pairs (kept-pairs form), <c>[N]</c>.</summary>
    internal Tensor SumPerRow(Tensor pairValues) =>
        zeros(RowCount, pairValues.dtype, pairValues.device).index_add(0, RowOfPair!, pairValues, Scalars.One);

    /// <summary>Which pairs are selected: Bool, the shape of <see cref="Values"/>.</summary>
    public Tensor Mask { get; }

    /// <summary>The weight of every pair for a soft graph, else null (every selected pair weighs 1).</summary>
    public Tensor? Weights { get; }

    /// <summary><c>w_ij r_ij</c> (or <c>r_ij</c>) on the selected pairs, 0 elsewhere.</summary>
    internal Tensor Weighted()
    {
        // Kept pairs of a Bool graph are all selected: their values as they are (a handle of its own: callers dispose it).
        if (RowOfPair is not null && Weights is null) return Values.alias();
        var selected = Scalars.Where(Mask, Values, 0);
        return Weights is { } w ? Scalars.Mul(selected, w) : selected;
    }

    /// <summary>Σ w_ij (or the number of selected pairs) along <paramref name="dim"/>, or over everything.</summary>
    internal Tensor WeightSums(long? dim)
    {
        if (RowOfPair is not null && dim is not null) return SumPerRow(Weights ?? Mask.to(Values.dtype));
        // A Bool mask is counted as it is (integer sums, exact), never converted to an N×M float tensor first.
        if (Weights is { } w) return dim is { } d ? w.sum(d) : w.sum();
        return (dim is { } k ? Mask.sum(k) : Mask.sum()).to(Values.dtype);
    }
}
