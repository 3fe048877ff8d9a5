using System.Linq;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

public static partial class Ops
{
    // Row reductions run over the last axis of a dense value, over the named axes (given as positions), or over
    // the selected (or weighted) pairs of a masked relation. Empty rows give the reduction's identity and a zero
    // gradient without any NaN: unselected entries are replaced (a fill passes them no gradient) before exp, log
    // or max touch them.

    /// <summary><c>Σ</c> over the last axis.</summary>
    public static Tensor RowSum(Tensor x) => x.sum(-1);

    /// <summary><c>Σ</c> over the axes <paramref name="axes"/>.</summary>
    public static Tensor RowSum(Tensor x, long[] axes) => x.sum(axes);

    /// <summary>The mean over the last axis.</summary>
    public static Tensor RowMean(Tensor x) => x.mean(new long[] { -1 });

    /// <summary>The mean over the axes <paramref name="axes"/>.</summary>
    public static Tensor RowMean(Tensor x, long[] axes) => x.mean(axes);

    /// <summary><c>log Σ exp</c> over the last axis, stably (<see cref="RowLogSumExpFunction"/>: one N×M temporary
    /// each way).</summary>
    public static Tensor RowLogSumExp(Tensor x) => RowLogSumExpFunction.Apply(x, null);

    /// <summary><c>log Σ exp</c> over the axes <paramref name="axes"/>, stably.</summary>
    public static Tensor RowLogSumExp(Tensor x, long[] axes) => axes.OrderByDescending(a => a).Aggregate(x, (t, a) => t.logsumexp(a));

    /// <summary>The largest entry of the last axis; the gradient reaches that entry only.</summary>
    public static Tensor RowMax(Tensor x) => x.max(-1).values;

    /// <summary>The largest entry over the axes <paramref name="axes"/> (ties share the gradient when there are several axes).</summary>
    public static Tensor RowMax(Tensor x, long[] axes) => axes.Length == 1 ? x.max(axes[0]).values : x.amax(axes);

    /// <summary>The smallest entry of the last axis; the gradient reaches that entry only.</summary>
    public static Tensor RowMin(Tensor x) => x.min(-1).values;

    /// <summary>The smallest entry over the axes <paramref name="axes"/> (ties share the gradient when there are several axes).</summary>
    public static Tensor RowMin(Tensor x, long[] axes) => axes.Length == 1 ? x.min(axes[0]).values : x.amin(axes);

    // The masked reductions release their N×M temporaries (fills, weighted copies) as soon as they are reduced:
    // autograd keeps what it saved, and a generated Compute would otherwise hold them to its end.

    /// <summary><c>Σ_j w_ij r_ij</c> over the selected (weighted) pairs, <c>[N]</c>; 0 for an empty row.</summary>
    public static Tensor RowSum(MaskedRelation m)
    {
        using var weighted = m.Weighted();
        return m.RowOfPair is null ? weighted.sum(-1) : m.SumPerRow(weighted);
    }

    /// <summary>The (weighted) mean of the selected <c>r_ij</c> of each row, <c>[N]</c>; 0 for an empty row.</summary>
    public static Tensor RowMean(MaskedRelation m) => RowSum(m) / NonZero(m.WeightSums(-1));

    /// <summary><c>log Σ_j w_ij exp(r_ij)</c> over the selected pairs, <c>[N]</c>; −∞ for an empty row (whose pairs
    /// receive no gradient). Unweighted it is <see cref="RowLogSumExpFunction"/>: one N×M temporary each way, where
    /// libtorch's <c>logsumexp</c> of the filled relation allocated six.</summary>
    public static Tensor RowLogSumExp(MaskedRelation m)
    {
        m.RequireDense(nameof(RowLogSumExp));
        if (m.Weights is null) return RowLogSumExpFunction.Apply(m.Values, m.Mask);
        var masked = Selected(m.Values, m.Mask, double.NegativeInfinity);
        var rowMax = masked.detach().amax(new long[] { -1 }, keepdim: false);
        var empty = Eq(rowMax, double.NegativeInfinity);
        // Any per-row shift gives the same value and gradient; a detached one keeps the graph small.
        var shift = Fill(rowMax, empty, 0);
        var terms = Mul(Sub(masked, shift.unsqueeze(-1)).exp_(), m.Weights);
        var lse = Add(Fill(terms.sum(-1), empty, 1).log(), shift);
        return Fill(lse, empty, double.NegativeInfinity);
    }

    /// <summary>The largest selected <c>r_ij</c> of each row, <c>[N]</c>; −∞ for an empty row. The gradient
    /// reaches that pair only (batch-hard mining).</summary>
    public static Tensor RowMax(MaskedRelation m)
    {
        m.RequireDense(nameof(RowMax));
        using var selected = Selected(m.Values, m.Mask, double.NegativeInfinity);
        return selected.max(-1).values;
    }

    /// <summary>The smallest selected <c>r_ij</c> of each row, <c>[N]</c>; +∞ for an empty row. The gradient
    /// reaches that pair only.</summary>
    public static Tensor RowMin(MaskedRelation m)
    {
        m.RequireDense(nameof(RowMin));
        using var selected = Selected(m.Values, m.Mask, double.PositiveInfinity);
        return selected.min(-1).values;
    }

    /// <summary>The relation and its graph transposed (reductions per column).</summary>
    public static MaskedRelation Transpose(MaskedRelation m)
    {
        m.RequireDense(nameof(Transpose));
        return new(m.Values.transpose(-2, -1), m.Weights is { } w ? w.transpose(-2, -1) : m.Mask.transpose(-2, -1));
    }

    /// <summary>The mean of all entries.</summary>
    public static Tensor Mean(Tensor x) => x.mean();

    /// <summary>The sum of all entries.</summary>
    public static Tensor Sum(Tensor x) => x.sum();

    /// <summary>The mean of the entries &gt; 0, 0 if none (pytorch-metric-learning's AvgNonZeroReducer);
    /// only those entries receive gradient. The count is the number of entries that are &gt; 0 as computed, so, as in
    /// the reference, an entry that is positive in exact arithmetic but rounds to 0 leaves it: where the entries'
    /// positivity is known from the structure (anchors with a positive), average with <see cref="MeanWhere"/>
    /// instead. A NaN entry is kept (never filtered out), so it propagates.</summary>
    public static Tensor MeanNonZero(Tensor x) => MeanOf(x, PositiveOrNaN(x.detach()));

    /// <summary>The (weighted) mean over the selected pairs; 0, with zero gradient, when none is selected.</summary>
    public static Tensor Mean(MaskedRelation m)
    {
        using var weighted = m.Weighted();
        return weighted.sum() / NonZero(m.WeightSums(null));
    }

    /// <summary>The (weighted) sum over the selected pairs.</summary>
    public static Tensor Sum(MaskedRelation m)
    {
        using var weighted = m.Weighted();
        return weighted.sum();
    }

    /// <summary>The mean over the selected pairs whose value is &gt; 0 (or NaN, which propagates); 0 if none.</summary>
    public static Tensor MeanNonZero(MaskedRelation m) => MeanOf(m.Values, m.Mask.logical_and(PositiveOrNaN(m.Values.detach())));

    /// <summary>The mean over the selected triplets; 0, with zero gradient, when none is selected.</summary>
    public static Tensor Mean(TripletTensor t) => MeanOf(t.Values, t.Mask);

    /// <summary>The sum over the selected triplets.</summary>
    public static Tensor Sum(TripletTensor t) => Selected(t.Values, t.Mask, 0).sum();

    /// <summary>The mean over the selected triplets whose value is &gt; 0 (or NaN, which propagates); 0 if none
    /// (AvgNonZeroReducer).</summary>
    public static Tensor MeanNonZero(TripletTensor t) => MeanOf(t.Values, t.Mask.logical_and(PositiveOrNaN(t.Values.detach())));

    /// <summary>The mean of <paramref name="v"/> where <paramref name="where"/> holds; 0 when it holds nowhere.
    /// The count comes from the condition.</summary>
    public static Tensor MeanWhere(Tensor v, Tensor where) => MeanOf(v, where.expand_as(v));

    /// <summary>The sum of <paramref name="v"/> where <paramref name="where"/> holds.</summary>
    public static Tensor SumWhere(Tensor v, Tensor where) => Selected(v, where.expand_as(v), 0).sum();

    /// <summary>The number of entries &gt; 0 (NaN entries count too, as <see cref="MeanNonZero(Tensor)"/> keeps them), a
    /// 0-d tensor of the values' type, no gradient.</summary>
    public static Tensor CountPositive(Tensor x) => PositiveOrNaN(x.detach()).sum().to(x.dtype);

    /// <summary>The number of selected pairs &gt; 0 (or NaN).</summary>
    public static Tensor CountPositive(MaskedRelation m) => m.Mask.logical_and(PositiveOrNaN(m.Values.detach())).sum().to(m.Values.dtype);

    /// <summary>The number of selected triplets &gt; 0 (or NaN).</summary>
    public static Tensor CountPositive(TripletTensor t) => t.Mask.logical_and(PositiveOrNaN(t.Values.detach())).sum().to(t.Values.dtype);

    /// <summary>The number of entries of <paramref name="x"/>, a 0-d tensor of <paramref name="dtype"/>.</summary>
    public static Tensor Count(Tensor x, ScalarType dtype) => Full(new long[0], x.numel(), dtype, x.device);

    /// <summary><paramref name="values"/> where <paramref name="mask"/> holds, <paramref name="fill"/> elsewhere.</summary>
    private static Tensor Selected(Tensor values, Tensor mask, double fill) => Scalars.Where(mask, values, fill);

    /// <summary>A denominator: 1 where it is 0, so an empty selection gives 0 / 1 = 0, in every precision (a NaN
    /// stays NaN).</summary>
    private static Tensor NonZero(Tensor d) => Fill(d, Eq(d, 0), 1);

    /// <summary><c>¬(x ≤ 0)</c>: the entries &gt; 0 and the NaN ones. Every selection made from values (not from the
    /// structure) uses this form or keeps NaN otherwise, so a NaN is never dropped from what a loss reads.</summary>
    internal static Tensor PositiveOrNaN(Tensor x) => Le(x, 0).logical_not();

    // A fill, not masked_select: its backward is one masked fill, where masked_select's allocates zeros and scatters
    // into them (NT-Xent at 16,384 rows unfused: +13,824 MiB peak with masked_select, +13,056 MiB with the fill).
    private static Tensor MeanOf(Tensor values, Tensor mask) => Selected(values, mask, 0).sum() / ClampMin(mask.sum(), 1);
}
