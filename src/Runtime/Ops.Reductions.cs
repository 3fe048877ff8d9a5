using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

public static partial class Ops
{
    // Empty rows give the reduction's identity and a zero gradient without any NaN: unselected
    // entries are replaced (masked_fill passes them no gradient) before exp, log or max touch them.

    /// <summary><c>Σ_j r_ij</c> over the selected pairs, <c>[N]</c>; 0 for an empty row.</summary>
    public static Tensor RowSum(MaskedRelation m) => Selected(m.Values, m.Mask, 0).sum(1);

    /// <summary>The mean of the selected <c>r_ij</c> of each row, <c>[N]</c>; 0 for an empty row.</summary>
    public static Tensor RowMean(MaskedRelation m) => RowSum(m) / ClampMin(m.Mask.sum(1), 1);

    /// <summary><c>log Σ_j exp(r_ij)</c> over the selected pairs, <c>[N]</c>, with the row max
    /// subtracted; −∞ for an empty row.</summary>
    public static Tensor RowLogSumExp(MaskedRelation m)
    {
        var masked = Selected(m.Values, m.Mask, double.NegativeInfinity);
        var rowMax = masked.detach().amax(1);
        var empty = Eq(rowMax, double.NegativeInfinity);
        // Any per-row shift gives the same value and gradient; a detached one keeps the graph small.
        var shift = Fill(rowMax, empty, 0);
        var sum = Sub(masked, shift.unsqueeze(1)).exp().sum(1);
        var lse = Add(Fill(sum, empty, 1).log(), shift);
        return Fill(lse, empty, double.NegativeInfinity);
    }

    /// <summary>The largest selected <c>r_ij</c> of each row, <c>[N]</c>; −∞ for an empty row.</summary>
    public static Tensor RowMax(MaskedRelation m) => Selected(m.Values, m.Mask, double.NegativeInfinity).amax(1);

    /// <summary>The smallest selected <c>r_ij</c> of each row, <c>[N]</c>; +∞ for an empty row.</summary>
    public static Tensor RowMin(MaskedRelation m) => Selected(m.Values, m.Mask, double.PositiveInfinity).amin(1);

    /// <summary>The mean of all entries.</summary>
    public static Tensor Mean(Tensor x) => x.mean();

    /// <summary>The sum of all entries.</summary>
    public static Tensor Sum(Tensor x) => x.sum();

    /// <summary>The mean of the entries &gt; 0, 0 if none (pytorch-metric-learning's AvgNonZeroReducer);
    /// only those entries receive gradient.</summary>
    public static Tensor MeanNonZero(Tensor x) => MeanOf(x, Gt(x.detach(), 0));

    /// <summary>The mean over the selected pairs; 0, with zero gradient, when none is selected.</summary>
    public static Tensor Mean(MaskedRelation m) => MeanOf(m.Values, m.Mask);

    /// <summary>The sum over the selected pairs.</summary>
    public static Tensor Sum(MaskedRelation m) => Selected(m.Values, m.Mask, 0).sum();

    /// <summary>The mean over the selected pairs whose value is &gt; 0; 0 if none.</summary>
    public static Tensor MeanNonZero(MaskedRelation m) => MeanOf(m.Values, m.Mask.logical_and(Gt(m.Values.detach(), 0)));

    /// <summary>The mean over the selected triplets; 0, with zero gradient, when none is selected.</summary>
    public static Tensor Mean(TripletTensor t) => MeanOf(t.Values, t.Mask);

    /// <summary>The sum over the selected triplets.</summary>
    public static Tensor Sum(TripletTensor t) => Selected(t.Values, t.Mask, 0).sum();

    /// <summary>The mean over the selected triplets whose value is &gt; 0; 0 if none (AvgNonZeroReducer).</summary>
    public static Tensor MeanNonZero(TripletTensor t) => MeanOf(t.Values, t.Mask.logical_and(Gt(t.Values.detach(), 0)));

    /// <summary><paramref name="values"/> where <paramref name="mask"/> holds, <paramref name="fill"/> elsewhere.</summary>
    private static Tensor Selected(Tensor values, Tensor mask, double fill) => Fill(values, mask.logical_not(), fill);

    private static Tensor MeanOf(Tensor values, Tensor mask) => Selected(values, mask, 0).sum() / ClampMin(mask.sum(), 1);
}
