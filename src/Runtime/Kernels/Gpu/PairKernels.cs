using ILGPU.Algorithms;
using ILGPU;

namespace LossDsl.Runtime.Kernels.Gpu;

/// <summary>One call's device operands (unused views are one-element placeholders).</summary>
public struct GpuPairArgs<T> where T : unmanaged
{
    public ArrayView<T> X, Y, X2, Y2, RowLab, ColLab, R0, R1, C0, C1, W, RowAux, ColAux, RowAux2, ColAux2;
    public int N, M, D, D2, Self, Metric, Metric2, Reduce;
}

/// <summary>The leaves of one pair and its mask, as the kernels see them.</summary>
public struct GpuPair<T>
{
    public PairInputs<T> Inputs;
    public T Keep, Squared;
    public bool Diagonal;
}

/// <summary>The ILGPU kernels: one thread per row (forward, row-side backward) or per column (column-side
/// backward), each walking the other side and recomputing every pair from x and y — the same formula and
/// mask structs as the CPU engine, instantiated with a scalar T. Not tiled (no shared memory): correct
/// everywhere, tuned nowhere yet.</summary>
public static class PairKernels
{
    /// <summary>Metric of pair (i, j) with its aux values, as the CPU engine computes it.</summary>
    public static T Metric<T, M>(int metric, ArrayView<T> x, ArrayView<T> y, int d, int i, int j, T rowAux, T colAux, bool diagonal, out T squared)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T>
    {
        squared = M.Const(0);
        if (metric == (int)PairMetric.Dot || metric == (int)PairMetric.Cosine)
        {
            var dot = M.Const(0);
            for (var k = 0; k < d; k++) dot = M.Add(dot, M.Mul(x[(long)i * d + k], y[(long)j * d + k]));
            return metric == (int)PairMetric.Dot ? dot : M.Mul(M.Mul(dot, rowAux), colAux);
        }
        // Σ (x_k − y_k)²: exactly 0 for equal rows, and no cancellation (one pass either way on a GPU).
        for (var k = 0; k < d; k++)
        {
            var u = M.Sub(x[(long)i * d + k], y[(long)j * d + k]);
            squared = M.Add(squared, M.Mul(u, u));
        }
        if (diagonal) return M.Const(0);
        return metric == (int)PairMetric.SqEuclidean ? squared : M.Sqrt(squared);
    }

    public static GpuPair<T> Pair<T, M, TF, TM>(GpuPairArgs<T> a, TM mask, int i, int j)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T> where TF : struct, IPairFormula where TM : struct, IPairMask
    {
        var pair = new GpuPair<T>();
        pair.Diagonal = a.Self != 0 && i == j;
        pair.Inputs.S = Metric<T, M>(a.Metric, a.X, a.Y, a.D, i, j, a.RowAux[i], a.ColAux[j], pair.Diagonal, out pair.Squared);
        if (TF.ReadsSecondRelation) pair.Inputs.S2 = Metric<T, M>(a.Metric2, a.X2, a.Y2, a.D2, i, j, a.RowAux2[i], a.ColAux2[j], pair.Diagonal, out _);
        pair.Inputs.W = TM.ReadsWeights ? a.W[(long)i * a.M + j] : M.Const(1);
        if (TF.RowValueCount > 0) pair.Inputs.R0 = a.R0[i];
        if (TF.RowValueCount > 1) pair.Inputs.R1 = a.R1[i];
        if (TF.ColumnValueCount > 0) pair.Inputs.C0 = a.C0[j];
        if (TF.ColumnValueCount > 1) pair.Inputs.C1 = a.C1[j];
        pair.Keep = mask.Keep<T, M>(i, M.FromDouble(j), a.RowLab[i], a.ColLab[j]);
        return pair;
    }

    /// <summary>Forward: thread i reduces row i (accumulating in double).</summary>
    public static void Forward<T, M, TF, TM>(Index1D index, GpuPairArgs<T> a, TF f, TM mask,
        ArrayView<double> value, ArrayView<long> count, ArrayView<long> nonzero, ArrayView<int> arg)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T> where TF : struct, IPairFormula where TM : struct, IPairMask
    {
        int i = index;
        double sum = 0, max = double.NegativeInfinity, lse = 0, best = a.Reduce == (int)ReduceKind.Min ? double.PositiveInfinity : double.NegativeInfinity;
        long kept = 0, positive = 0;
        var bestJ = -1;
        var nan = false;
        for (var j = 0; j < a.M; j++)
        {
            var pair = Pair<T, M, TF, TM>(a, mask, i, j);
            if (!M.IsSet(pair.Keep)) continue;
            var fv = M.ToDouble(f.Value<T, M>(pair.Inputs));
            if (XMath.IsNaN(fv)) nan = true;
            kept++;
            if (fv > 0) positive++;
            sum += fv;
            if (a.Reduce == (int)ReduceKind.LogSumExp)
            {
                if (fv > max)
                {
                    lse = lse * System.Math.Exp(max - fv) + 1.0;
                    max = fv;
                }
                else if (max != double.NegativeInfinity)
                {
                    lse += System.Math.Exp(fv - max);
                }
            }
            else if (a.Reduce == (int)ReduceKind.Max ? fv > best : fv < best)
            {
                best = fv;
                bestJ = j;
            }
        }
        count[i] = kept;
        nonzero[i] = positive;
        arg[i] = bestJ;
        if (a.Reduce == (int)ReduceKind.Sum) value[i] = sum;
        else if (a.Reduce == (int)ReduceKind.LogSumExp) value[i] = nan ? double.NaN : max == double.NegativeInfinity ? max : max + System.Math.Log(lse);
        else value[i] = nan ? double.NaN : best;
    }

    /// <summary>∂L/∂s at one pair times the metric's cross coefficient b; the own coefficient in <paramref name="own"/>.</summary>
    public static double Back<T, M, TF>(GpuPairArgs<T> a, TF f, GpuPair<T> pair, double weight, double lse, int i, int j,
        out double own, out double dr0, out double dr1, out double dc0, out double dc1)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T> where TF : struct, IPairFormula
    {
        own = dr0 = dr1 = dc0 = dc1 = 0;
        if (!M.IsSet(pair.Keep) || weight == 0) return 0;
        var d = f.Partials<T, M>(pair.Inputs);
        var coef = a.Reduce == (int)ReduceKind.LogSumExp ? weight * System.Math.Exp(M.ToDouble(d.F) - lse) : weight;
        dr0 = coef * M.ToDouble(d.R0);
        dr1 = coef * M.ToDouble(d.R1);
        dc0 = coef * M.ToDouble(d.C0);
        dc1 = coef * M.ToDouble(d.C1);
        var c = coef * M.ToDouble(d.S);
        var s = M.ToDouble(pair.Inputs.S);
        var sq = M.ToDouble(pair.Squared);
        if (a.Metric == (int)PairMetric.Dot) return c;
        if (a.Metric == (int)PairMetric.Cosine)
        {
            own = c * s;
            return c * M.ToDouble(a.RowAux[i]) * M.ToDouble(a.ColAux[j]);
        }
        if (a.Metric == (int)PairMetric.SqEuclidean)
        {
            var live = sq > 0 && !pair.Diagonal;
            own = live ? 2 * c : 0;
            return -own;
        }
        var alive = sq > 0 && !pair.Diagonal;
        own = alive ? c / s : 0;
        return -own;
    }

    /// <summary>Row side of the backward pass: thread i adds Σ_j to dx_i and the row values' gradients.</summary>
    public static void BackwardRows<T, M, TF, TM>(Index1D index, GpuPairArgs<T> a, TF f, TM mask,
        ArrayView<double> value, ArrayView<double> weight, ArrayView<T> dx, ArrayView<T> dr0, ArrayView<T> dr1, int wantDx)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T> where TF : struct, IPairFormula where TM : struct, IPairMask
    {
        int i = index;
        double ownSum = 0, r0 = 0, r1 = 0;
        for (var j = 0; j < a.M; j++)
        {
            var pair = Pair<T, M, TF, TM>(a, mask, i, j);
            var b = Back<T, M, TF>(a, f, pair, weight[i], value[i], i, j, out var own, out var g0, out var g1, out _, out _);
            ownSum += own;
            r0 += g0;
            r1 += g1;
            if (wantDx != 0 && b != 0)
                for (var k = 0; k < a.D; k++)
                    dx[(long)i * a.D + k] = M.FromDouble(M.ToDouble(dx[(long)i * a.D + k]) + b * M.ToDouble(a.Y[(long)j * a.D + k]));
        }
        var phi = a.Metric == (int)PairMetric.Cosine ? -M.ToDouble(a.RowAux[i]) * M.ToDouble(a.RowAux[i]) : 1.0;
        if (wantDx != 0 && ownSum != 0)
            for (var k = 0; k < a.D; k++)
                dx[(long)i * a.D + k] = M.FromDouble(M.ToDouble(dx[(long)i * a.D + k]) + phi * ownSum * M.ToDouble(a.X[(long)i * a.D + k]));
        if (TF.RowValueCount > 0) dr0[i] = M.FromDouble(M.ToDouble(dr0[i]) + r0);
        if (TF.RowValueCount > 1) dr1[i] = M.FromDouble(M.ToDouble(dr1[i]) + r1);
    }

    /// <summary>Column side: thread j adds Σ_i to dy_j and the column values' gradients.</summary>
    public static void BackwardColumns<T, M, TF, TM>(Index1D index, GpuPairArgs<T> a, TF f, TM mask,
        ArrayView<double> value, ArrayView<double> weight, ArrayView<T> dy, ArrayView<T> dc0, ArrayView<T> dc1, int wantDy)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T> where TF : struct, IPairFormula where TM : struct, IPairMask
    {
        int j = index;
        double ownSum = 0, c0 = 0, c1 = 0;
        for (var i = 0; i < a.N; i++)
        {
            var pair = Pair<T, M, TF, TM>(a, mask, i, j);
            var b = Back<T, M, TF>(a, f, pair, weight[i], value[i], i, j, out var own, out _, out _, out var g0, out var g1);
            ownSum += own;
            c0 += g0;
            c1 += g1;
            if (wantDy != 0 && b != 0)
                for (var k = 0; k < a.D; k++)
                    dy[(long)j * a.D + k] = M.FromDouble(M.ToDouble(dy[(long)j * a.D + k]) + b * M.ToDouble(a.X[(long)i * a.D + k]));
        }
        var phi = a.Metric == (int)PairMetric.Cosine ? -M.ToDouble(a.ColAux[j]) * M.ToDouble(a.ColAux[j]) : 1.0;
        if (wantDy != 0 && ownSum != 0)
            for (var k = 0; k < a.D; k++)
                dy[(long)j * a.D + k] = M.FromDouble(M.ToDouble(dy[(long)j * a.D + k]) + phi * ownSum * M.ToDouble(a.Y[(long)j * a.D + k]));
        if (TF.ColumnValueCount > 0) dc0[j] = M.FromDouble(M.ToDouble(dc0[j]) + c0);
        if (TF.ColumnValueCount > 1) dc1[j] = M.FromDouble(M.ToDouble(dc1[j]) + c1);
    }
}
