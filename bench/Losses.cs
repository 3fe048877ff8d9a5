using LossDsl.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Runtime.Kernels.Formulas;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;

namespace LossDsl.Bench;

/// <summary>The five losses three ways: the engine (through the autograd bridge), a naive eager port of the
/// reference code (dense N×N masks and temporaries, as the reference writes it) and a careful eager port
/// (in-place fills, structure-aware gathers, fewer temporaries). Each returns the 0-d loss.</summary>
internal static class Losses
{
    public const double Tau = 0.1, Margin = 0.2;

    // ---------- NT-Xent: z [2B, D] = two views, labels = sample ids ----------

    public static Tensor NtXentFused(Tensor z, Tensor y)
    {
        var zn = Ops.Normalize(z);
        var lse = PairFunction<NtXentNegatives, DifferentLabel, LogSumExpReduce>.Apply(new NtXentNegatives(Tau), default, PairOutput.Rows, zn, null, PairMetric.Dot,
            new PairExtras { RowLabels = y });
        return PairFunction<NtXentPositives, ExcludeSelf<SameLabel>, SumReduce>.Apply(new NtXentPositives(Tau), default, PairOutput.Mean, zn, null, PairMetric.Dot,
            new PairExtras { RowLabels = y, R0 = lse });
    }

    public static Tensor NtXentNaive(Tensor z, Tensor y)
    {
        var zn = Ops.Normalize(z);
        var s = Div(zn.matmul(zn.t()), Tau);
        var same = y.unsqueeze(1).eq(y.unsqueeze(0));
        var pos = same.logical_and(eye(z.shape[0], dtype: ScalarType.Bool).logical_not());
        var lse = Fill(s, same, double.NegativeInfinity).logsumexp(1);
        var all = nn.functional.softplus(Sub(lse.unsqueeze(1), s));
        return all.masked_select(pos).mean();
    }

    public static Tensor NtXentCareful(Tensor z, Tensor y)
    {
        // Two views: the positive of row i is row (i + B) mod 2B, so the positives are a gather, not an N×N mask.
        var n = z.shape[0];
        var zn = Ops.Normalize(z);
        var s = Div(zn.matmul(zn.t()), Tau);
        var partner = cat(new[] { arange(n / 2, n, dtype: ScalarType.Int64), arange(0, n / 2, dtype: ScalarType.Int64) });
        var positive = s.gather(1, partner.unsqueeze(1)).squeeze(1);
        var lse = Fill(s, y.unsqueeze(1).eq(y.unsqueeze(0)), double.NegativeInfinity).logsumexp(1);
        return nn.functional.softplus(Sub(lse, positive)).mean();
    }

    // ---------- SupCon (pytorch-metric-learning) ----------

    public static Tensor SupConFused(Tensor z, Tensor y)
    {
        var zn = Ops.Normalize(z);
        var lse = PairFunction<SupConDenominator, ExcludeSelf<AllPairs>, LogSumExpReduce>.Apply(new SupConDenominator(Tau), default, PairOutput.Rows, zn, null, PairMetric.Dot);
        var rows = PairFunction<SupConPositives, ExcludeSelf<SameLabel>, SumReduce>.Apply(new SupConPositives(Tau), default, PairOutput.RowMean, zn, null, PairMetric.Dot,
            new PairExtras { RowLabels = y, R0 = lse });
        return MeanNonZero(rows);
    }

    public static Tensor SupConNaive(Tensor z, Tensor y)
    {
        var n = z.shape[0];
        var zn = Ops.Normalize(z);
        var s = Div(zn.matmul(zn.t()), Tau);
        var notSelf = eye(n, dtype: ScalarType.Bool).logical_not();
        var pos = y.unsqueeze(1).eq(y.unsqueeze(0)).logical_and(notSelf);
        var lse = Fill(s, notSelf.logical_not(), double.NegativeInfinity).logsumexp(1, keepdim: true);
        var logProb = Sub(s, lse);
        var posF = pos.to_type(z.dtype);
        var rows = Div(Mul(logProb, posF).sum(1), ClampMin(posF.sum(1), 1)).neg();
        return MeanNonZero(rows);
    }

    public static Tensor SupConCareful(Tensor z, Tensor y)
    {
        var n = z.shape[0];
        var zn = Ops.Normalize(z);
        var s = Div(zn.matmul(zn.t()), Tau);
        var self = eye(n, dtype: ScalarType.Bool);
        var lse = Fill(s, self, double.NegativeInfinity).logsumexp(1);
        var pos = y.unsqueeze(1).eq(y.unsqueeze(0)).logical_and_(self.logical_not());
        var count = pos.sum(1).to_type(z.dtype);
        // Σ_p (lse − s_ip) = c·lse − Σ_p s_ip: one masked row sum instead of an N×N log-probability matrix.
        var posSum = Fill(s, pos.logical_not(), 0).sum(1);
        var rows = Div(Sub(Mul(count, lse), posSum), ClampMin(count, 1));
        return MeanNonZero(rows);
    }

    private static Tensor MeanNonZero(Tensor rows)
    {
        var positive = Gt(rows.detach(), 0);
        return Div(Fill(rows, positive.logical_not(), 0).sum(), ClampMin(positive.sum().to_type(rows.dtype), 1));
    }

    // ---------- Batch-hard triplet (normalised embeddings, Euclidean) ----------

    public static Tensor BatchHardFused(Tensor z, Tensor y)
    {
        var zn = Ops.Normalize(z);
        var hardest = PairFunction<ScaledRelation, ExcludeSelf<SameLabel>, MaxReduce>.Apply(new ScaledRelation(1), default, PairOutput.Rows, zn, null, PairMetric.Euclidean,
            new PairExtras { RowLabels = y });
        var closest = PairFunction<ScaledRelation, DifferentLabel, MinReduce>.Apply(new ScaledRelation(1), default, PairOutput.Rows, zn, null, PairMetric.Euclidean,
            new PairExtras { RowLabels = y });
        return Add(Sub(hardest, closest), Margin).relu().mean();
    }

    public static Tensor BatchHardNaive(Tensor z, Tensor y)
    {
        var zn = Ops.Normalize(z);
        var d = Ops.Pairwise(zn, zn, LossDsl.Ir.Metric.Euclidean, self: true);
        var same = y.unsqueeze(1).eq(y.unsqueeze(0));
        var pos = same.logical_and(eye(z.shape[0], dtype: ScalarType.Bool).logical_not());
        var hardest = Fill(d, pos.logical_not(), double.NegativeInfinity).max(1).values;
        var closest = Fill(d, same, double.PositiveInfinity).min(1).values;
        return Add(Sub(hardest, closest), Margin).relu().mean();
    }

    public static Tensor BatchHardCareful(Tensor z, Tensor y)
    {
        var zn = Ops.Normalize(z);
        var d = Ops.Pairwise(zn, zn, LossDsl.Ir.Metric.Euclidean, self: true);
        // One label comparison, reused: the positives mask is it minus the diagonal (in place on a fresh tensor).
        var same = y.unsqueeze(1).eq(y.unsqueeze(0));
        var notPositive = same.logical_not().logical_or_(eye(z.shape[0], dtype: ScalarType.Bool));
        var hardest = Fill(d, notPositive, double.NegativeInfinity).amax(new long[] { 1 });
        var closest = Fill(d, same, double.PositiveInfinity).amin(new long[] { 1 });
        return Add(Sub(hardest, closest), Margin).relu().mean();
    }

    // ---------- RKD distance (RepDistiller), w_d = 25 ----------

    public static Tensor RkdDistanceFused(Tensor s, Tensor t) => Mul(RkdDistanceFunction.Apply(s, t), 25.0);

    public static Tensor RkdDistanceEager(Tensor s, Tensor t)
    {
        var td = Ops.Pairwise(t.detach(), t.detach(), LossDsl.Ir.Metric.Euclidean, self: true);
        td = Div(td, td.masked_select(Gt(td, 0)).mean());
        var d = Ops.Pairwise(s, s, LossDsl.Ir.Metric.Euclidean, self: true);
        d = Div(d, d.masked_select(Gt(d.detach(), 0)).mean());
        return Mul(nn.functional.smooth_l1_loss(d, td), 25.0);
    }

    // ---------- RKD angle (RepDistiller), w_a = 50 ----------

    public static Tensor RkdAngleFused(Tensor s, Tensor t) => Mul(RkdAngleFunction.Apply(s, t), 50.0);

    public static Tensor RkdAngleEager(Tensor s, Tensor t)
    {
        Tensor Angles(Tensor e)
        {
            var diff = Sub(e.unsqueeze(0), e.unsqueeze(1));
            var unit = nn.functional.normalize(diff, p: 2.0, dim: 2);
            return unit.bmm(unit.transpose(1, 2)).view(-1);
        }
        Tensor ta;
        using (no_grad()) ta = Angles(t);
        return Mul(nn.functional.smooth_l1_loss(Angles(s), ta), 50.0);
    }
}
