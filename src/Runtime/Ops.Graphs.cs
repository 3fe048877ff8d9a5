using System;
using System.Linq;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Runtime;

public static partial class Ops
{
    /// <summary>Pairs with equal labels, Bool <c>[N, N]</c> (diagonal included).</summary>
    public static Tensor SameLabel(Tensor y) => SameLabel(y, y);

    /// <summary>Pairs whose row label equals the column label, Bool <c>[N, M]</c>.</summary>
    public static Tensor SameLabel(Tensor rows, Tensor columns) =>
        LabelGraphs.Remember(rows.unsqueeze(-1).eq(columns.unsqueeze(-2)), rows, columns, excludeSelf: false);

    /// <summary>The same-label graph of <paramref name="rows"/> [N] and <paramref name="columns"/> [M] (without the pairs
    /// (i, i) when <paramref name="excludeSelf"/>) as a description, not a mask: for
    /// <see cref="OverPairs(LabelPairs, Func{PairSupport, Tensor})"/>, which lists its pairs from the labels.</summary>
    /// <exception cref="ArgumentException">The labels are not int64 or int32 vectors.</exception>
    public static LabelPairs SameLabelPairs(Tensor rows, Tensor columns, bool excludeSelf) => new(rows, columns, excludeSelf);

    /// <summary>Pairs with different labels, Bool <c>[N, N]</c>.</summary>
    public static Tensor DifferentLabel(Tensor y) => DifferentLabel(y, y);

    /// <summary>Pairs whose row label differs from the column label, Bool <c>[N, M]</c>.</summary>
    public static Tensor DifferentLabel(Tensor rows, Tensor columns) => rows.unsqueeze(-1).ne(columns.unsqueeze(-2));

    /// <summary>Every pair, Bool <c>[rows, columns]</c>, all true.</summary>
    public static Tensor AllPairs(long rows, long columns, Device device) => ones(rows, columns, ScalarType.Bool, device);

    /// <summary>The pairs <c>(i, i)</c>, Bool <c>[rows, columns]</c>.</summary>
    public static Tensor Identity(long rows, long columns, Device device) => eye(rows, columns, ScalarType.Bool, device);

    /// <summary>The pairs <c>(i, (i + ⌊n/2⌋) mod n)</c>, Bool <c>[n, n]</c>: for a batch of two stacked views (n
    /// even), each sample with itself in the other view.</summary>
    public static Tensor OtherView(long n, Device device) => eye(n, n, ScalarType.Bool, device).roll(n / 2, 1);

    /// <summary>The pairs <c>(i, j)</c> with <c>j &lt; i</c>, Bool <c>[n, n]</c>.</summary>
    public static Tensor Earlier(long n, Device device) => ones(n, n, ScalarType.Bool, device).tril(-1);

    /// <summary>The pairs <c>(i, i + 1)</c>, Bool <c>[n, n]</c> (the last row has none).</summary>
    public static Tensor NextRow(long n, Device device) => ones(n, n, ScalarType.Bool, device).triu(1).logical_and(ones(n, n, ScalarType.Bool, device).tril(1));

    /// <summary>The (weighted) mean of the rows of <paramref name="x"/> <c>[M, ...]</c> that each row of
    /// <paramref name="g"/> <c>[R, M]</c> selects (Bool) or weighs (float): <c>Σ_j g_ij x_j / Σ_j g_ij</c>,
    /// <c>[R, ...]</c>; a row with no pair (or zero total weight) gives 0 and passes no gradient.</summary>
    public static Tensor MeanOfRows(Tensor g, Tensor x)
    {
        var w = g.dtype == ScalarType.Bool ? g.to(x.dtype) : g;
        var flat = x.reshape(x.shape[0], -1);
        var totals = w.sum(-1, keepdim: true);
        var safe = where(Gt(totals, 0), totals, ones_like(totals));
        var mean = w.matmul(flat) / safe;
        return mean.reshape(new[] { g.shape[0] }.Concat(x.shape.Skip(1)).ToArray());
    }

    /// <summary>Each row with the column of its class, Bool <c>[N, classes]</c> (one-hot); a row whose label is
    /// <paramref name="ignore"/> has no pair.</summary>
    public static Tensor ClassOf(Tensor y, long classes, long? ignore = null)
    {
        var valid = Valid(y, ignore);
        var safe = Fill(y.to(ScalarType.Int64), valid.logical_not(), 0);
        return F.one_hot(safe, classes).to(ScalarType.Bool).logical_and(valid.unsqueeze(-1));
    }

    /// <summary>The class ids <c>0 … classes−1</c>, int64 <c>[classes]</c>: the labels of the class side of
    /// <see cref="ClassOf"/> when a fused region reads that graph as "same label" (the pairs (i, y_i)) without building it.</summary>
    public static Tensor ClassIds(long classes, Device device) => Arange(classes, ScalarType.Int64, device);

    /// <summary><paramref name="g"/> without the pairs <c>(i, i)</c>.</summary>
    public static Tensor ExcludeSelf(Tensor g)
    {
        if (g.dtype != ScalarType.Bool || g.dim() != 2) return g.logical_and(Eye(g).logical_not());
        // One N×M copy instead of three (an identity, its negation, the conjunction): NT-Xent's positives at 16,384 rows
        // are 256 MiB each.
        var result = g.clone();
        ClearDiagonal(result);
        return LabelGraphs.RememberWithoutSelf(result, g);
    }

    /// <summary>The rows of <paramref name="g"/> that have at least one pair, Bool <c>[N]</c>.</summary>
    public static Tensor HasAny(Tensor g) => g.any(-1);

    /// <summary>The relation <paramref name="r"/> restricted to the pairs of graph <paramref name="g"/> (Bool) or
    /// weighted by <paramref name="g"/> (float weights, a soft graph).</summary>
    public static MaskedRelation Over(Tensor r, Tensor g) => new(r, g.expand_as(r));

    /// <summary><c>f over g</c> for an element-wise formula <paramref name="f"/> that only pair reductions (mean, sum,
    /// mean over non-zero, count) and row sums and means read: <paramref name="f"/> is evaluated at the pairs <paramref name="g"/>
    /// <c>[N, M]</c> selects when they are few (<see cref="PairSupport"/>), else at every pair, then restricted to
    /// them as <see cref="Over(Tensor, Tensor)"/> does. Pairs outside <paramref name="g"/> are never computed, so,
    /// as with the dense fill, a NaN there cannot reach the result.</summary>
    /// <param name="g">A Bool mask or float weights, <c>[N, M]</c>.</param>
    /// <param name="f">The formula, reading its relations through <see cref="PairSupport.At"/> and its vectors through
    /// <see cref="PairSupport.Row"/> and <see cref="PairSupport.Column"/>.</param>
    public static MaskedRelation OverPairs(Tensor g, Func<PairSupport, Tensor> f)
    {
        var pairs = PairSupport.Of(g);
        return pairs.Over(f(pairs));
    }

    /// <summary><c>f over g</c> as <see cref="OverPairs(Tensor, Func{PairSupport, Tensor})"/> for a same-label graph given by
    /// its labels: the pairs are listed from the labels, and the N×M mask is built only when they are too many to list.</summary>
    public static MaskedRelation OverPairs(LabelPairs g, Func<PairSupport, Tensor> f)
    {
        var pairs = PairSupport.Of(g);
        return pairs.Over(f(pairs));
    }
}
