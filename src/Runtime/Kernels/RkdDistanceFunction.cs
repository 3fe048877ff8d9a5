using System;
using LossDsl.Runtime.Kernels.Formulas;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;

namespace LossDsl.Runtime.Kernels;

/// <summary>RepDistiller's RKD distance term (Park et al., 2019, <c>RKDLoss</c> with <c>w_a = 0</c>) through the pair
/// engine, never building an N×N tensor: <c>mean_{i,j} h(d_ij / μ_s − t_ij / μ_t)</c> over all N² pairs, with d and t
/// the student's and the (frozen) teacher's pairwise distances, μ the mean of the positive distances
/// (<see cref="Ops.MeanNormalized"/>: 1 when none is positive) and h smooth L1 (β = 1). Three engine passes: the
/// two means, then the pairs (the student's mean receives its gradient from the third pass's row values).</summary>
public static class RkdDistanceFunction
{
    /// <summary>The RKD distance loss of student [N, D] against teacher [N, Dt] (no gradient), a 0-d tensor.</summary>
    /// <param name="metric">Euclidean (RepDistiller's <c>pdist</c>) or squared Euclidean: distances, never negative.</param>
    /// <exception cref="ArgumentException">Not matrices, a different number of rows, or a metric that is not a distance.</exception>
    public static Tensor Apply(Tensor student, Tensor teacher, PairMetric metric = PairMetric.Euclidean)
    {
        TensorIo.CheckMatrix(student, "student");
        TensorIo.CheckMatrix(teacher, "teacher");
        if (student.shape[0] != teacher.shape[0]) throw new ArgumentException($"student has {student.shape[0]} rows, teacher {teacher.shape[0]}.");
        if (metric is not (PairMetric.Euclidean or PairMetric.SqEuclidean))
            throw new ArgumentException($"RKD distance normalises by the mean positive distance; {metric} is not a distance.");
        var n = student.shape[0];
        var frozen = teacher.detach();
        var studentMean = MeanPositive(student, metric);
        var teacherMean = MeanPositive(frozen, metric);
        return PairFunction<RkdDistancePairs, AllPairs, SumReduce>.Apply(default, default, PairOutput.Mean, student, null, metric,
            new PairExtras { R0 = studentMean.expand(n), R1 = teacherMean.expand(n), X2 = frozen, Metric2 = metric });
    }

    /// <summary>The mean of the positive distances, 1 when there is none (a distance is never negative, so the sum
    /// over all pairs is the sum over the positive ones; a NaN distance makes the mean NaN, as the unfused form).</summary>
    private static Tensor MeanPositive(Tensor x, PairMetric metric)
    {
        var mean = PairFunction<ScaledRelation, AllPairs, SumReduce>.Apply(new ScaledRelation(1), default, PairOutput.MeanNonZero, x, null, metric);
        using var none = Eq(mean.detach(), 0);
        return where(none, ones_like(mean), mean);
    }
}
