using LossDsl.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Runtime.Kernels.Formulas;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;

namespace LossDsl.Tests.Kernels;

/// <summary>Zoo losses written by hand over the engine, as the generator will emit them (formula structs plus
/// one <see cref="PairFunction{TF, TM, TR}"/> call per region).</summary>
internal static class KernelLosses
{
    public static Tensor NtXent(Tensor z, Tensor y, double tau)
    {
        var zn = Ops.Normalize(z);
        var lse = PairFunction<NtXentNegatives, DifferentLabel, LogSumExpReduce>.Apply(new NtXentNegatives(tau), default, PairOutput.Rows, zn, null, PairMetric.Dot,
            new PairExtras { RowLabels = y });
        return PairFunction<NtXentPositives, ExcludeSelf<SameLabel>, SumReduce>.Apply(new NtXentPositives(tau), default, PairOutput.Mean, zn, null, PairMetric.Dot,
            new PairExtras { RowLabels = y, R0 = lse });
    }

    public static Tensor SupCon(Tensor z, Tensor y, double tau)
    {
        var zn = Ops.Normalize(z);
        var lse = PairFunction<SupConDenominator, ExcludeSelf<AllPairs>, LogSumExpReduce>.Apply(new SupConDenominator(tau), default, PairOutput.Rows, zn, null, PairMetric.Dot);
        var rows = PairFunction<SupConPositives, ExcludeSelf<SameLabel>, SumReduce>.Apply(new SupConPositives(tau), default, PairOutput.RowMean, zn, null, PairMetric.Dot,
            new PairExtras { RowLabels = y, R0 = lse });
        return Ops.MeanNonZero(rows);
    }

    public static Tensor BatchHard(Tensor z, Tensor y, double margin)
    {
        var zn = Ops.Normalize(z);
        var hardest = PairFunction<ScaledRelation, ExcludeSelf<SameLabel>, MaxReduce>.Apply(new ScaledRelation(1), default, PairOutput.Rows, zn, null, PairMetric.Euclidean,
            new PairExtras { RowLabels = y });
        var closest = PairFunction<ScaledRelation, DifferentLabel, MinReduce>.Apply(new ScaledRelation(1), default, PairOutput.Rows, zn, null, PairMetric.Euclidean,
            new PairExtras { RowLabels = y });
        return Add(Sub(hardest, closest), margin).relu().mean();
    }

    public static Tensor Contrastive(Tensor z, Tensor y, double posMargin, double negMargin)
    {
        var zn = Ops.Normalize(z);
        var pos = PairFunction<ContrastivePositive, ExcludeSelf<SameLabel>, SumReduce>.Apply(new ContrastivePositive(posMargin), default, PairOutput.MeanNonZero, zn, null, PairMetric.Euclidean,
            new PairExtras { RowLabels = y });
        var neg = PairFunction<ContrastiveNegative, DifferentLabel, SumReduce>.Apply(new ContrastiveNegative(negMargin), default, PairOutput.MeanNonZero, zn, null, PairMetric.Euclidean,
            new PairExtras { RowLabels = y });
        return Add(pos, neg);
    }

    public static Tensor MultiSimilarity(Tensor z, Tensor y, double alpha, double beta, double @base)
    {
        var zn = Ops.Normalize(z);
        var pos = PairFunction<MultiSimilarityTerm, ExcludeSelf<SameLabel>, LogSumExpReduce>.Apply(new MultiSimilarityTerm(-alpha, @base), default, PairOutput.Rows, zn, null, PairMetric.Dot,
            new PairExtras { RowLabels = y });
        var neg = PairFunction<MultiSimilarityTerm, DifferentLabel, LogSumExpReduce>.Apply(new MultiSimilarityTerm(beta, @base), default, PairOutput.Rows, zn, null, PairMetric.Dot,
            new PairExtras { RowLabels = y });
        return Add(Mul(1 / alpha, Ops.Softplus(pos)).mean(), Mul(1 / beta, Ops.Softplus(neg)).mean());
    }

    public static Tensor RkdDistance(Tensor s, Tensor t, double weight)
    {
        var n = s.shape[0];
        var muS = PairFunction<ScaledRelation, AllPairs, SumReduce>.Apply(new ScaledRelation(1), default, PairOutput.MeanNonZero, s, null, PairMetric.Euclidean);
        var muT = PairFunction<ScaledRelation, AllPairs, SumReduce>.Apply(new ScaledRelation(1), default, PairOutput.MeanNonZero, t.detach(), null, PairMetric.Euclidean);
        var loss = PairFunction<RkdDistancePairs, AllPairs, SumReduce>.Apply(default, default, PairOutput.Mean, s, null, PairMetric.Euclidean,
            new PairExtras { R0 = muS.expand(n), R1 = muT.detach().expand(n), X2 = t.detach(), Metric2 = PairMetric.Euclidean });
        return Mul(loss, weight);
    }
}
