using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace LossDsl.Runtime.Kernels;

/// <summary>Rows and columns grouped by dense label id (CSR): group g's rows are
/// <c>RowIndex[RowStart[g] .. RowStart[g + 1])</c>, its columns likewise.</summary>
internal sealed class LabelGroups
{
    public int[] RowStart = Array.Empty<int>(), RowIndex = Array.Empty<int>(), ColStart = Array.Empty<int>(), ColIndex = Array.Empty<int>();
    public int Count;

    /// <summary>Σ_g rows_g · columns_g: the pairs the group path visits.</summary>
    public long Pairs
    {
        get
        {
            long pairs = 0;
            for (var g = 0; g < Count; g++) pairs += (long)(RowStart[g + 1] - RowStart[g]) * (ColStart[g + 1] - ColStart[g]);
            return pairs;
        }
    }

    public static unsafe LabelGroups Build<T>(T* rowIds, int n, T* colIds, int m) where T : unmanaged
    {
        var count = 0;
        for (var i = 0; i < n; i++) count = Math.Max(count, (int)PairEngine.ToDouble(rowIds[i]) + 1);
        for (var j = 0; j < m; j++) count = Math.Max(count, (int)PairEngine.ToDouble(colIds[j]) + 1);
        var g = new LabelGroups { Count = count };
        (g.RowStart, g.RowIndex) = Csr(rowIds, n, count);
        (g.ColStart, g.ColIndex) = Csr(colIds, m, count);
        return g;
    }

    private static unsafe (int[] Start, int[] Index) Csr<T>(T* ids, int length, int count) where T : unmanaged
    {
        var start = new int[count + 1];
        for (var k = 0; k < length; k++) start[(int)PairEngine.ToDouble(ids[k]) + 1]++;
        for (var c = 0; c < count; c++) start[c + 1] += start[c];
        var index = new int[length];
        var next = (int[])start.Clone();
        for (var k = 0; k < length; k++) index[next[(int)PairEngine.ToDouble(ids[k])]++] = k;
        return (start, index);
    }
}

/// <summary>The engine's path for masks that keep only equal-label pairs (<see cref="IPairMask.KeepsSameLabelOnly"/>):
/// each label group's rows meet only that group's columns, one pair at a time in T's scalar math (the same formula
/// and mask structs), reductions in double. Groups are disjoint in rows and columns, so groups run in parallel
/// and the backward pass writes dx, dy and the value gradients without races.</summary>
internal static unsafe class LabelGroupPairs<T, M> where T : unmanaged where M : IPairMath<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Dot(T* a, T* b, int d)
    {
        var acc = Vector<T>.Zero;
        var k = 0;
        for (; k + Vector<T>.Count <= d; k += Vector<T>.Count)
            acc += Unsafe.ReadUnaligned<Vector<T>>(a + k) * Unsafe.ReadUnaligned<Vector<T>>(b + k);
        var sum = PairEngine.ToDouble(System.Numerics.Vector.Sum(acc));
        for (; k < d; k++) sum += PairEngine.ToDouble(a[k]) * PairEngine.ToDouble(b[k]);
        return PairEngine.FromDouble<T>(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Metric(PairMetric metric, T* x, T* y, int d, T rowAux, T colAux, bool diagonal, out T squared)
    {
        squared = default;
        switch (metric)
        {
            case PairMetric.Dot: return Dot(x, y, d);
            case PairMetric.Cosine: return M.Mul(M.Mul(Dot(x, y, d), rowAux), colAux);
        }
        // Σ (x_k − y_k)², in double: exactly 0 for equal rows (the label groups visit few pairs, so no expansion).
        var sum = 0.0;
        for (var k = 0; k < d; k++)
        {
            var u = PairEngine.ToDouble(x[k]) - PairEngine.ToDouble(y[k]);
            sum += u * u;
        }
        squared = PairEngine.FromDouble<T>(sum);
        if (diagonal) return M.Const(0);
        return metric == PairMetric.SqEuclidean ? squared : M.Sqrt(squared);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static PairInputs<T> Leaves<TF, TM>(ref Problem<T> p, ref TM mask, int i, int j, out bool keep, out T squared)
        where TF : struct, IPairFormula where TM : struct, IPairMask
    {
        var diagonal = p.Self && i == j;
        var aux = p.Metric != PairMetric.Dot;
        var inputs = new PairInputs<T>
        {
            S = Metric(p.Metric, p.X + (long)i * p.D, p.Y + (long)j * p.D, p.D, aux ? p.RowAux[i] : default, aux ? p.ColAux[j] : default, diagonal, out squared),
            W = TM.ReadsWeights ? p.W[(long)i * p.M + j] : M.Const(1),
        };
        if (TF.ReadsSecondRelation)
        {
            var aux2 = p.Metric2 != PairMetric.Dot;
            inputs.S2 = Metric(p.Metric2, p.X2 + (long)i * p.D2, p.Y2 + (long)j * p.D2, p.D2, aux2 ? p.RowAux2[i] : default, aux2 ? p.ColAux2[j] : default, diagonal, out _);
        }
        if (TF.RowValueCount > 0) inputs.R0 = p.R0[i];
        if (TF.RowValueCount > 1) inputs.R1 = p.R1[i];
        if (TF.ColumnValueCount > 0) inputs.C0 = p.C0[j];
        if (TF.ColumnValueCount > 1) inputs.C1 = p.C1[j];
        keep = PairEngine.ToDouble(M.Select(mask.Keep<T, M>(i, PairEngine.FromDouble<T>(j), p.RowLab[i], p.ColLab[j]), M.Const(1), M.Const(0))) != 0;
        return inputs;
    }

    public static void Forward<TF, TM, TR>(ref Problem<T> p, TF f, TM mask, LabelGroups groups, RowsOut o, int threads)
        where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        // Rows whose label no column has are empty: the identity.
        for (var i = 0; i < p.N; i++)
        {
            o.Value[i] = TR.Kind switch { ReduceKind.Sum => 0.0, ReduceKind.Min => double.PositiveInfinity, _ => double.NegativeInfinity };
            if (o.Count != null) o.Count[i] = 0;
            if (o.NonZero != null) o.NonZero[i] = 0;
            if (o.Arg != null) o.Arg[i] = -1;
        }
        var problem = p;
        if (groups.Pairs * (p.D + p.D2) < 1L << 24) threads = 1;   // tiny: no hand-off to other threads
        // Optimised from the first call, as the main kernels: a lambda is its own method, and at tier 0 this loop ran
        // 3–5× slower for the first few dozen training steps.
        Each(groups.Count, threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (g) =>
        {
            var pr = problem;
            var mk = mask;
            var fl = f;
            for (var a = groups.RowStart[g]; a < groups.RowStart[g + 1]; a++)
            {
                var i = groups.RowIndex[a];
                double sum = 0, max = double.NegativeInfinity, lse = 0, best = TR.Kind == ReduceKind.Min ? double.PositiveInfinity : double.NegativeInfinity;
                long kept = 0, positive = 0;
                int arg = -1;
                var nan = false;
                for (var b = groups.ColStart[g]; b < groups.ColStart[g + 1]; b++)
                {
                    var j = groups.ColIndex[b];
                    var inputs = Leaves<TF, TM>(ref pr, ref mk, i, j, out var keep, out _);
                    if (!keep) continue;
                    var v = PairEngine.ToDouble(fl.Value<T, M>(inputs));
                    kept++;
                    if (v > 0) positive++;
                    if (double.IsNaN(v)) nan = true;
                    sum += v;
                    if (TR.Kind == ReduceKind.LogSumExp)
                    {
                        if (v > max) { lse = lse * Math.Exp(max - v) + 1.0; max = v; }
                        else if (max != double.NegativeInfinity) lse += Math.Exp(v - max);
                    }
                    else if (TR.Kind == ReduceKind.Max ? v > best : v < best) { best = v; arg = j; }
                }
                o.Value[i] = TR.Kind switch
                {
                    ReduceKind.Sum => sum,
                    ReduceKind.LogSumExp => nan ? double.NaN : max == double.NegativeInfinity ? max : max + Math.Log(lse),
                    _ => nan ? double.NaN : best,
                };
                if (o.Count != null) o.Count[i] = kept;
                if (o.NonZero != null) o.NonZero[i] = positive;
                if (o.Arg != null) o.Arg[i] = arg;
            }
        });
    }

    public static void Backward<TF, TM, TR>(ref Problem<T> p, TF f, TM mask, LabelGroups groups, double* rowValue, double* rowWeight, GradsOut<T> g, int threads)
        where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        var problem = p;
        var columnTarget = p.Self ? g.DX : g.DY;
        var wantRows = g.DX != null && p.NeedX;
        var wantColumns = columnTarget != null && (p.Self ? p.NeedX : p.NeedY);
        if (groups.Pairs * (p.D + p.D2) < 1L << 24) threads = 1;
        Each(groups.Count, threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (grp) =>
        {
            var pr = problem;
            var mk = mask;
            var fl = f;
            for (var a = groups.RowStart[grp]; a < groups.RowStart[grp + 1]; a++)
            {
                var i = groups.RowIndex[a];
                var w = rowWeight[i];
                if (w == 0.0) continue;
                var xi = pr.X + (long)i * pr.D;
                for (var b = groups.ColStart[grp]; b < groups.ColStart[grp + 1]; b++)
                {
                    var j = groups.ColIndex[b];
                    var inputs = Leaves<TF, TM>(ref pr, ref mk, i, j, out var keep, out var squaredT);
                    if (!keep) continue;
                    var d = fl.Partials<T, M>(inputs);
                    var coef = TR.Kind == ReduceKind.LogSumExp ? w * Math.Exp(PairEngine.ToDouble(d.F) - rowValue[i]) : w;
                    if (g.DR0 != null && TF.RowValueCount > 0) Add(g.DR0 + i, coef * PairEngine.ToDouble(d.R0));
                    if (g.DR1 != null && TF.RowValueCount > 1) Add(g.DR1 + i, coef * PairEngine.ToDouble(d.R1));
                    if (g.DC0 != null && TF.ColumnValueCount > 0) Add(g.DC0 + j, coef * PairEngine.ToDouble(d.C0));
                    if (g.DC1 != null && TF.ColumnValueCount > 1) Add(g.DC1 + j, coef * PairEngine.ToDouble(d.C1));
                    var c = coef * PairEngine.ToDouble(d.S);
                    var s = PairEngine.ToDouble(inputs.S);
                    var squared = PairEngine.ToDouble(squaredT);
                    var diagonal = pr.Self && i == j;
                    double bc, ownI, ownJ;
                    switch (pr.Metric)
                    {
                        case PairMetric.Dot: bc = c; ownI = ownJ = 0; break;
                        case PairMetric.Cosine:
                            double ri = PairEngine.ToDouble(pr.RowAux[i]), rj = PairEngine.ToDouble(pr.ColAux[j]);
                            bc = c * ri * rj; ownI = -c * s * ri * ri; ownJ = -c * s * rj * rj;
                            break;
                        case PairMetric.SqEuclidean:
                            var live = squared > 0 && !diagonal;
                            bc = live ? -2 * c : 0; ownI = ownJ = live ? 2 * c : 0;
                            break;
                        default:
                            var alive = squared > 0 && !diagonal;
                            bc = alive ? -c / s : 0; ownI = ownJ = alive ? c / s : 0;
                            break;
                    }
                    if (bc == 0 && ownI == 0 && ownJ == 0 && !double.IsNaN(c)) continue;
                    var yj = pr.Y + (long)j * pr.D;
                    if (wantRows) AddScaled(g.DX + (long)i * pr.D, bc, yj, ownI, xi, pr.D);
                    if (wantColumns) AddScaled(columnTarget + (long)j * pr.D, bc, xi, ownJ, yj, pr.D);
                }
            }
        });
    }

    /// <summary>body(0 .. count − 1), in parallel unless one thread is asked for.</summary>
    private static void Each(int count, int threads, Action<int> body)
    {
        if (threads <= 1) { for (var g = 0; g < count; g++) body(g); return; }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(T* target, double v) => *target = PairEngine.FromDouble<T>(PairEngine.ToDouble(*target) + v);

    /// <summary>target[k] += a·u[k] + b·v[k], in the element type (as the engine's products accumulate).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaled(T* target, double a, T* u, double b, T* v, int d)
    {
        T ta = PairEngine.FromDouble<T>(a), tb = PairEngine.FromDouble<T>(b);
        var va = new Vector<T>(ta);
        var vb = new Vector<T>(tb);
        var k = 0;
        for (; k + Vector<T>.Count <= d; k += Vector<T>.Count)
        {
            var sum = Unsafe.ReadUnaligned<Vector<T>>(target + k) + va * Unsafe.ReadUnaligned<Vector<T>>(u + k) + vb * Unsafe.ReadUnaligned<Vector<T>>(v + k);
            Unsafe.WriteUnaligned(target + k, sum);
        }
        for (; k < d; k++) target[k] = M.Add(target[k], M.Add(M.Mul(ta, u[k]), M.Mul(tb, v[k])));
    }
}
