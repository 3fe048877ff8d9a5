using ILGPU.Algorithms;
using ILGPU;

namespace LossDsl.Runtime.Kernels.Gpu;

/// <summary>One call's device operands (unused views are one-element placeholders).</summary>
public struct GpuPairArgs<T> where T : unmanaged
{
    public ArrayView<T> X, Y, X2, Y2, RowLab, ColLab, R0, R1, C0, C1, W, RowAux, ColAux, RowAux2, ColAux2;
    public int N, M, D, D2, Self, Metric, Metric2, Reduce;

    /// <summary>1: a log-sum-exp backward over a symmetric self relation (<c>PairEngine.SymmetricLogSumExp</c>): the
    /// rows kernel adds both sides' coefficients, w_i e^{f−lse_i} + w_j e^{f−lse_j}, and no columns kernel runs.</summary>
    public int Symmetric;
}

/// <summary>The leaves of one pair and its mask, as the kernels see them.</summary>
public struct GpuPair<T>
{
    public PairInputs<T> Inputs;
    public T Keep, Squared;
    public bool Diagonal;
}

/// <summary>The ILGPU kernels, one thread per row (forward, row-side backward) or per column (column-side backward;
/// not run for a symmetric log-sum-exp, see <see cref="GpuPairArgs{T}.Symmetric"/>), in the layout KeOps uses: each
/// thread copies its own vector into shared memory, coordinate-major (coordinate k of the group's threads side by
/// side: conflict-free reads), while every thread of a group walks the same other-side vector j at the same time (one
/// broadcast load per coordinate); the backward accumulates its ∂ in shared memory the same way, in the element type
/// as the CPU engine does (float32 accumulators take half the shared memory of double ones: 7 groups of 32 threads
/// per H200 SM at D = 128 instead of 4). Pairs are recomputed from x and y — the same formula and mask structs as the
/// CPU engine, instantiated with a scalar T. The mask is read before the metric, so sparse masks (positives) cost
/// their kept pairs only. Not tiled over j yet.</summary>
public static class PairKernels
{
    /// <summary>Groups hold at most this many items (threads).</summary>
    public const int MaxItemsPerGroup = 64;

    /// <summary>Dynamic shared memory per group, bytes (the CUDA default without opting in to more).</summary>
    public const int SharedBytes = 48 * 1024;

    /// <summary>The largest D for which one item's accumulators and copy fit the shared memory (float64: 3,072).</summary>
    public const int MaxSharedD = SharedBytes / (2 * sizeof(double));

    /// <summary>Items per group for D coordinates: each takes D·sizeof(T) bytes for its copy and, in the backward,
    /// as many for its accumulators. A multiple of 32 (a warp) when at least 32 fit.</summary>
    public static int ItemsPerGroup(int d, int elementBytes, bool accumulators)
    {
        var perItem = System.Math.Max(d, 1) * elementBytes * (accumulators ? 2 : 1);
        var items = System.Math.Clamp(SharedBytes / perItem, 1, MaxItemsPerGroup);
        return items >= 32 ? items / 32 * 32 : items;
    }

    /// <summary>Doubles of dynamic shared memory a group of <paramref name="items"/> needs (copies, then accumulators).</summary>
    public static int SharedDoubles(int d, int items, int elementBytes, bool accumulators) =>
        (items * d * elementBytes * (accumulators ? 2 : 1) + sizeof(double) - 1) / sizeof(double);

    /// <summary>This thread's copy of <paramref name="v"/>'s row <paramref name="row"/> in shared memory, coordinate-major
    /// (element k at k·G + t for thread t of a group of G).</summary>
    private static ArrayView<T> Own<T>(ArrayView<T> v, int row, int d) where T : unmanaged
    {
        var g = Group.DimX;
        var own = SharedMemory.GetDynamic<double>().Cast<T>().SubView(0, (long)g * d);
        for (var k = 0; k < d; k++) own[(long)k * g + Group.IdxX] = v[(long)row * d + k];
        return own;
    }

    /// <summary>This thread's D accumulators of the element type, zeroed, after the group's copies (same layout).</summary>
    private static ArrayView<T> Accumulators<T, M>(int d) where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T>
    {
        var g = Group.DimX;
        var acc = SharedMemory.GetDynamic<double>().Cast<T>().SubView((long)g * d, (long)g * d);
        for (var k = 0; k < d; k++) acc[(long)k * g + Group.IdxX] = M.Const(0);
        return acc;
    }

    /// <summary>Metric between this thread's staged vector (<paramref name="own"/>) and row <paramref name="other"/>
    /// of <paramref name="v"/>, with their aux values, as the CPU engine computes it. <paramref name="squared"/>:
    /// Σ (x − y)² for the Euclidean metrics (exactly 0 for equal rows, no cancellation).</summary>
    public static T Metric<T, M>(int metric, ArrayView<T> own, ArrayView<T> v, int other, int d, T ownAux, T otherAux, bool diagonal, out T squared)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T>
    {
        squared = M.Const(0);
        var g = Group.DimX;
        var t = Group.IdxX;
        if (metric == (int)PairMetric.Dot || metric == (int)PairMetric.Cosine)
        {
            var dot = M.Const(0);
            for (var k = 0; k < d; k++) dot = M.Add(dot, M.Mul(own[(long)k * g + t], v[(long)other * d + k]));
            return metric == (int)PairMetric.Dot ? dot : M.Mul(M.Mul(dot, ownAux), otherAux);
        }
        for (var k = 0; k < d; k++)
        {
            var u = M.Sub(own[(long)k * g + t], v[(long)other * d + k]);
            squared = M.Add(squared, M.Mul(u, u));
        }
        if (diagonal) return M.Const(0);
        return metric == (int)PairMetric.SqEuclidean ? squared : M.Sqrt(squared);
    }

    /// <summary>The second relation's metric (read by few formulas; not staged).</summary>
    private static T Metric2<T, M>(GpuPairArgs<T> a, int i, int j, bool diagonal)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T>
    {
        // Σ x·y for the similarities, Σ (x − y)² for the distances: one of them, never both.
        var sum = M.Const(0);
        if (a.Metric2 == (int)PairMetric.Dot || a.Metric2 == (int)PairMetric.Cosine)
            for (var k = 0; k < a.D2; k++) sum = M.Add(sum, M.Mul(a.X2[(long)i * a.D2 + k], a.Y2[(long)j * a.D2 + k]));
        else
            for (var k = 0; k < a.D2; k++)
            {
                var u = M.Sub(a.X2[(long)i * a.D2 + k], a.Y2[(long)j * a.D2 + k]);
                sum = M.Add(sum, M.Mul(u, u));
            }
        if (a.Metric2 == (int)PairMetric.Dot) return sum;
        if (a.Metric2 == (int)PairMetric.Cosine) return M.Mul(M.Mul(sum, a.RowAux2[i]), a.ColAux2[j]);
        if (diagonal) return M.Const(0);
        return a.Metric2 == (int)PairMetric.SqEuclidean ? sum : M.Sqrt(sum);
    }

    /// <summary>The mask of pair (i, j) and, when it is kept, its leaves. <paramref name="own"/> is the staged row
    /// (x_i) or column (y_j) vector, per <paramref name="rowSide"/>.</summary>
    public static GpuPair<T> Pair<T, M, TF, TM>(GpuPairArgs<T> a, TM mask, ArrayView<T> own, bool rowSide, int i, int j)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T> where TF : struct, IPairFormula where TM : struct, IPairMask
    {
        var pair = new GpuPair<T>();
        pair.Keep = mask.Keep<T, M>(i, M.FromDouble(j), a.RowLab[i], a.ColLab[j]);
        if (!M.IsSet(pair.Keep)) return pair;
        pair.Diagonal = a.Self != 0 && i == j;
        pair.Inputs.S = rowSide
            ? Metric<T, M>(a.Metric, own, a.Y, j, a.D, a.RowAux[i], a.ColAux[j], pair.Diagonal, out pair.Squared)
            : Metric<T, M>(a.Metric, own, a.X, i, a.D, a.ColAux[j], a.RowAux[i], pair.Diagonal, out pair.Squared);
        if (TF.ReadsSecondRelation) pair.Inputs.S2 = Metric2<T, M>(a, i, j, pair.Diagonal);
        pair.Inputs.W = TM.ReadsWeights ? a.W[(long)i * a.M + j] : M.Const(1);
        if (TF.RowValueCount > 0) pair.Inputs.R0 = a.R0[i];
        if (TF.RowValueCount > 1) pair.Inputs.R1 = a.R1[i];
        if (TF.ColumnValueCount > 0) pair.Inputs.C0 = a.C0[j];
        if (TF.ColumnValueCount > 1) pair.Inputs.C1 = a.C1[j];
        return pair;
    }

    /// <summary>Forward: thread i reduces row i (accumulating in double).</summary>
    public static void Forward<T, M, TF, TM>(GpuPairArgs<T> a, TF f, TM mask,
        ArrayView<double> value, ArrayView<long> count, ArrayView<long> nonzero, ArrayView<int> arg)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T> where TF : struct, IPairFormula where TM : struct, IPairMask
    {
        int i = Grid.GlobalLinearIndex;
        if (i >= a.N) return;
        var own = Own(a.X, i, a.D);
        double sum = 0, max = double.NegativeInfinity, lse = 0, best = a.Reduce == (int)ReduceKind.Min ? double.PositiveInfinity : double.NegativeInfinity;
        long kept = 0, positive = 0;
        var bestJ = -1;
        var nan = false;
        for (var j = 0; j < a.M; j++)
        {
            var pair = Pair<T, M, TF, TM>(a, mask, own, rowSide: true, i, j);
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

    /// <summary>∂L/∂s at one pair times the metric's cross coefficient b; the own coefficient in <paramref name="own"/>.
    /// Symmetric (<see cref="GpuPairArgs{T}.Symmetric"/>), the pair's coefficient also carries (j, i)'s, from
    /// <paramref name="weightJ"/> and <paramref name="lseJ"/>; a row of weight 0 adds nothing (its lse may be −∞).</summary>
    public static double Back<T, M, TF>(GpuPairArgs<T> a, TF f, GpuPair<T> pair, double weight, double lse, double weightJ, double lseJ, int i, int j,
        out double own, out double dr0, out double dr1, out double dc0, out double dc1)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T> where TF : struct, IPairFormula
    {
        own = dr0 = dr1 = dc0 = dc1 = 0;
        var symmetric = a.Symmetric != 0;
        if (!M.IsSet(pair.Keep) || weight == 0 && !(symmetric && weightJ != 0)) return 0;
        var d = f.Partials<T, M>(pair.Inputs);
        double coef;
        if (a.Reduce == (int)ReduceKind.LogSumExp)
        {
            var fv = M.ToDouble(d.F);
            coef = weight == 0 ? 0 : weight * System.Math.Exp(fv - lse);
            if (symmetric && weightJ != 0) coef += weightJ * System.Math.Exp(fv - lseJ);
        }
        else
        {
            coef = weight;
        }
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

    /// <summary>Row side of the backward pass: thread i adds Σ_j b_ij·y_j + φ_i·Σ_j own_ij·x_i to dx_i and the row
    /// values' gradients.</summary>
    public static void BackwardRows<T, M, TF, TM>(GpuPairArgs<T> a, TF f, TM mask,
        ArrayView<double> value, ArrayView<double> weight, ArrayView<T> dx, ArrayView<T> dr0, ArrayView<T> dr1, int wantDx)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T> where TF : struct, IPairFormula where TM : struct, IPairMask
    {
        int i = Grid.GlobalLinearIndex;
        if (i >= a.N) return;
        var own = Own(a.X, i, a.D);
        var acc = Accumulators<T, M>(a.D);
        double ownSum = 0, r0 = 0, r1 = 0;
        for (var j = 0; j < a.M; j++)
        {
            var pair = Pair<T, M, TF, TM>(a, mask, own, rowSide: true, i, j);
            var b = Back<T, M, TF>(a, f, pair, weight[i], value[i], a.Symmetric != 0 ? weight[j] : 0, a.Symmetric != 0 ? value[j] : 0, i, j,
                out var o, out var g0, out var g1, out _, out _);
            ownSum += o;
            r0 += g0;
            r1 += g1;
            if (wantDx != 0 && b != 0) AddScaled<T, M>(acc, b, a.Y, j, a.D);
        }
        var phi = a.Metric == (int)PairMetric.Cosine ? -M.ToDouble(a.RowAux[i]) * M.ToDouble(a.RowAux[i]) : 1.0;
        if (wantDx != 0) Flush<T, M>(acc, phi * ownSum, a.X, dx, i, a.D);
        if (TF.RowValueCount > 0) dr0[i] = M.FromDouble(M.ToDouble(dr0[i]) + r0);
        if (TF.RowValueCount > 1) dr1[i] = M.FromDouble(M.ToDouble(dr1[i]) + r1);
    }

    /// <summary>Column side: thread j adds Σ_i to dy_j and the column values' gradients.</summary>
    public static void BackwardColumns<T, M, TF, TM>(GpuPairArgs<T> a, TF f, TM mask,
        ArrayView<double> value, ArrayView<double> weight, ArrayView<T> dy, ArrayView<T> dc0, ArrayView<T> dc1, int wantDy)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T> where TF : struct, IPairFormula where TM : struct, IPairMask
    {
        int j = Grid.GlobalLinearIndex;
        if (j >= a.M) return;
        var own = Own(a.Y, j, a.D);
        var acc = Accumulators<T, M>(a.D);
        double ownSum = 0, c0 = 0, c1 = 0;
        for (var i = 0; i < a.N; i++)
        {
            var pair = Pair<T, M, TF, TM>(a, mask, own, rowSide: false, i, j);
            var b = Back<T, M, TF>(a, f, pair, weight[i], value[i], 0, 0, i, j, out var o, out _, out _, out var g0, out var g1);
            ownSum += o;
            c0 += g0;
            c1 += g1;
            if (wantDy != 0 && b != 0) AddScaled<T, M>(acc, b, a.X, i, a.D);
        }
        var phi = a.Metric == (int)PairMetric.Cosine ? -M.ToDouble(a.ColAux[j]) * M.ToDouble(a.ColAux[j]) : 1.0;
        if (wantDy != 0) Flush<T, M>(acc, phi * ownSum, a.Y, dy, j, a.D);
        if (TF.ColumnValueCount > 0) dc0[j] = M.FromDouble(M.ToDouble(dc0[j]) + c0);
        if (TF.ColumnValueCount > 1) dc1[j] = M.FromDouble(M.ToDouble(dc1[j]) + c1);
    }

    /// <summary>acc += b · v_row (this thread's accumulators; v_row is the same row for the whole group: broadcast).</summary>
    private static void AddScaled<T, M>(ArrayView<T> acc, double b, ArrayView<T> v, int row, int d)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T>
    {
        var g = Group.DimX;
        var t = Group.IdxX;
        var scale = M.FromDouble(b);
        for (var k = 0; k < d; k++)
        {
            var at = (long)k * g + t;
            acc[at] = M.Add(acc[at], M.Mul(scale, v[(long)row * d + k]));
        }
    }

    /// <summary>grad_row += acc + own · v_row.</summary>
    private static void Flush<T, M>(ArrayView<T> acc, double own, ArrayView<T> v, ArrayView<T> grad, int row, int d)
        where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T>
    {
        var g = Group.DimX;
        var t = Group.IdxX;
        for (var k = 0; k < d; k++)
        {
            var at = (long)row * d + k;
            grad[at] = M.FromDouble(M.ToDouble(grad[at]) + M.ToDouble(acc[(long)k * g + t]) + own * M.ToDouble(v[at]));
        }
    }
}
