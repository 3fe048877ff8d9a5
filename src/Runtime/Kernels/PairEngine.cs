using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LossDsl.Runtime.Kernels;

/// <summary>Which SIMD width the CPU engine runs.</summary>
public enum SimdWidth
{
    /// <summary>The widest the hardware accelerates (<c>Vector512</c> where available, else <c>Vector256</c>).</summary>
    Auto,
    /// <summary><c>Vector256</c> (software-emulated where unaccelerated; tests force it to cover that path).</summary>
    Vector256,
}

/// <summary>The generic pairwise engine ("generic reduction" in KeOps' terms): for rows x_i [N, D] and y_j
/// [M, D], <c>out_i = reduce_{j : mask(i, j)} f(s_ij, s2_ij, w_ij, v_i, u_j)</c> with <c>s_ij</c> a metric
/// of the pair, and the backward passes of that reduction. The per-pair formula is a struct
/// (<see cref="IPairFormula"/>), the mask another (<see cref="IPairMask"/>), the reduction a third
/// (<see cref="IPairReduce"/>): the JIT compiles one specialised loop nest per combination. Memory:
/// O((N + M)·D) scratch per call (packed column panels, per-thread gradient buffers), pooled; never N×M.</summary>
public static unsafe class PairEngine
{
    /// <summary>The SIMD width (tests set <see cref="SimdWidth.Vector256"/> to cover that path).</summary>
    public static SimdWidth Width { get; set; } = SimdWidth.Auto;

    /// <summary>Threads per call (default: the processor count).</summary>
    public static int MaxThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>The forward pass: writes each row's reduction into <paramref name="rows"/> (see
    /// <see cref="PairRows"/>: value always; counts for sums; arg columns for max/min).</summary>
    /// <exception cref="ArgumentException">Shapes, labels, weights or values do not match.</exception>
    public static void Forward<T, TF, TM, TR>(in PairOperands<T> operands, TF formula, TM mask, PairRows rows)
        where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        CheckType<T>();
        operands.Validate(TM.ReadsLabels, TM.ReadsWeights, TF.ReadsSecondRelation, TF.RowValueCount, TF.ColumnValueCount);
        if (rows.Value.Length < operands.N) throw new ArgumentException($"rows.Value must hold {operands.N} values.");
        if (TR.Kind is ReduceKind.Max or ReduceKind.Min && rows.Arg.Length < operands.N)
            throw new ArgumentException($"A max/min reduction writes arg columns: rows.Arg must hold {operands.N} values.");
        if (operands.N == 0) return;
        if (operands.M == 0)
        {
            // No columns: every row is empty and gets the reduction's identity.
            var identity = TR.Kind switch { ReduceKind.Sum => 0.0, ReduceKind.Min => double.PositiveInfinity, _ => double.NegativeInfinity };
            rows.Value[..operands.N].Fill(identity);
            if (!rows.Count.IsEmpty) rows.Count[..operands.N].Clear();
            if (!rows.NonZero.IsEmpty) rows.NonZero[..operands.N].Clear();
            if (!rows.Arg.IsEmpty) rows.Arg[..operands.N].Fill(-1);
            return;
        }
        fixed (double* value = rows.Value)
        fixed (long* count = rows.Count, nonzero = rows.NonZero)
        fixed (int* arg = rows.Arg)
        {
            var output = new RowsOut { Value = value, Count = count, NonZero = nonzero, Arg = arg };
            if (TM.KeepsSameLabelOnly)
            {
                Run<T, TF, TM, TR, GroupForwardJob<T, TF, TM, TR>>(operands, needX: false, needY: false, new GroupForwardJob<T, TF, TM, TR>(formula, mask, output), pack: false);
                return;
            }
            Run<T, TF, TM, TR, ForwardJob<T, TF, TM, TR>>(operands, needX: false, needY: false, new ForwardJob<T, TF, TM, TR>(formula, mask, output),
                symmetric: SymmetricLogSumExp<T, TF, TM, TR>(operands, mask));
        }
    }

    /// <summary>The backward pass. <paramref name="rowWeight"/> [N] is <c>∂L/∂out_i</c> (already divided by the
    /// count for a mean); <paramref name="rowValue"/> [N] is the forward's output (read by log-sum-exp);
    /// <paramref name="arg"/> [N] the forward's arg columns (max/min). Gradients are added to the non-empty
    /// spans of <paramref name="grads"/>.</summary>
    /// <exception cref="ArgumentException">Shapes do not match.</exception>
    public static void Backward<T, TF, TM, TR>(in PairOperands<T> operands, TF formula, TM mask,
        ReadOnlySpan<double> rowValue, ReadOnlySpan<int> arg, ReadOnlySpan<double> rowWeight, PairGradients<T> grads)
        where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        CheckType<T>();
        operands.Validate(TM.ReadsLabels, TM.ReadsWeights, TF.ReadsSecondRelation, TF.RowValueCount, TF.ColumnValueCount);
        int n = operands.N, m = operands.M, d = operands.D;
        if (rowWeight.Length < n) throw new ArgumentException($"rowWeight must hold {n} values.");
        if (TR.Kind == ReduceKind.LogSumExp && rowValue.Length < n) throw new ArgumentException($"A log-sum-exp backward reads the forward values: rowValue must hold {n} values.");
        if (TR.Kind is ReduceKind.Max or ReduceKind.Min && arg.Length < n) throw new ArgumentException($"A max/min backward reads the arg columns: arg must hold {n} values.");
        if (!grads.DX.IsEmpty && grads.DX.Length < (long)n * d) throw new ArgumentException($"dX must hold [N, D] = [{n}, {d}] values.");
        if (!grads.DY.IsEmpty && grads.DY.Length < (long)m * d) throw new ArgumentException($"dY must hold [M, D] = [{m}, {d}] values.");
        if (operands.Self && !grads.DY.IsEmpty) throw new ArgumentException("A self relation adds both sides into dX; pass no dY.");
        if (n == 0 || m == 0) return;

        if (!grads.RowSums.IsEmpty && (TR.Kind != ReduceKind.Sum || grads.RowSums.Length < n))
            throw new ArgumentException($"RowSums are computed by sum reductions only, [{n}].");
        fixed (double* weight = rowWeight, value = rowValue, rowSums = grads.RowSums)
        fixed (int* args = arg)
        fixed (T* dx = grads.DX, dy = grads.DY, dr0 = grads.DR0, dr1 = grads.DR1, dc0 = grads.DC0, dc1 = grads.DC1)
        {
            var g = new GradsOut<T> { DX = dx, DY = dy, DR0 = dr0, DR1 = dr1, DC0 = dc0, DC1 = dc1, RowSum = rowSums };
            var needX = dx != null;
            var needY = dy != null;
            if (TR.Kind is ReduceKind.Max or ReduceKind.Min)
            {
                // Only the arg pair of each row has a gradient: O(N·D), no pass over pairs.
                Run<T, TF, TM, TR, ArgBackwardJob<T, TF>>(operands, needX, needY, new ArgBackwardJob<T, TF>(formula, args, weight, g), pack: false);
                return;
            }
            if (TM.KeepsSameLabelOnly && g.RowSum == null)
            {
                Run<T, TF, TM, TR, GroupBackwardJob<T, TF, TM, TR>>(operands, needX, needY, new GroupBackwardJob<T, TF, TM, TR>(formula, mask, value, weight, g), pack: false);
                return;
            }
            Run<T, TF, TM, TR, BackwardJob<T, TF, TM, TR>>(operands, needX, needY, new BackwardJob<T, TF, TM, TR>(formula, mask, value, weight, g),
                symmetric: SymmetricLogSumExp<T, TF, TM, TR>(operands, mask));
        }
    }

    /// <summary>Whether a log-sum-exp backward over a self relation can symmetrise its coefficients (one product
    /// instead of two, see <c>Problem.ColValue</c>): the formula reads only the relation (no row or column values,
    /// so f_ij = f_ji), and the mask keeps (i, j) exactly when it keeps (j, i) under one label vector.</summary>
    public static bool SymmetricLogSumExp<T, TF, TM, TR>(in PairOperands<T> o, TM mask)
        where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce =>
        TR.Kind == ReduceKind.LogSumExp && o.Self && TF.RowValueCount == 0 && TF.ColumnValueCount == 0 && !TM.ReadsWeights
        && (!TM.ReadsLabels || o.ColumnLabels.IsEmpty || o.ColumnLabels.SequenceEqual(o.RowLabels))
        && PairMasks.IsSymmetric(mask);

    /// <summary>What runs on a prepared problem (a struct, so nothing is captured or allocated).</summary>
    private interface IJob<T> where T : unmanaged
    {
        void Run(ref Problem<T> p, int threads);
    }

    private readonly struct ForwardJob<T, TF, TM, TR>(TF f, TM m, RowsOut o) : IJob<T>
        where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        public void Run(ref Problem<T> p, int threads) => Dispatch<T>.Forward<TF, TM, TR>(ref p, f, m, o, threads);
    }

    private readonly struct BackwardJob<T, TF, TM, TR>(TF f, TM m, double* value, double* weight, GradsOut<T> g) : IJob<T>
        where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        public void Run(ref Problem<T> p, int threads) => Dispatch<T>.Backward<TF, TM, TR>(ref p, f, m, value, weight, g, threads);
    }

    /// <summary>Same-label masks: only each label group's pairs (see <see cref="LabelGroupPairs{T, M}"/>).</summary>
    private readonly struct GroupForwardJob<T, TF, TM, TR>(TF f, TM m, RowsOut o) : IJob<T>
        where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        public void Run(ref Problem<T> p, int threads)
        {
            var groups = LabelGroups.Build(p.RowLab, p.N, p.ColLab, p.M);
            if (typeof(T) == typeof(float)) LabelGroupPairs<float, ScalarMath32>.Forward<TF, TM, TR>(ref Unsafe.As<Problem<T>, Problem<float>>(ref p), f, m, groups, o, threads);
            else LabelGroupPairs<double, ScalarMath64>.Forward<TF, TM, TR>(ref Unsafe.As<Problem<T>, Problem<double>>(ref p), f, m, groups, o, threads);
        }
    }

    private readonly struct GroupBackwardJob<T, TF, TM, TR>(TF f, TM m, double* value, double* weight, GradsOut<T> g) : IJob<T>
        where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        public void Run(ref Problem<T> p, int threads)
        {
            var groups = LabelGroups.Build(p.RowLab, p.N, p.ColLab, p.M);
            var grads = g;
            if (typeof(T) == typeof(float))
                LabelGroupPairs<float, ScalarMath32>.Backward<TF, TM, TR>(ref Unsafe.As<Problem<T>, Problem<float>>(ref p), f, m, groups, value, weight, Unsafe.As<GradsOut<T>, GradsOut<float>>(ref grads), threads);
            else
                LabelGroupPairs<double, ScalarMath64>.Backward<TF, TM, TR>(ref Unsafe.As<Problem<T>, Problem<double>>(ref p), f, m, groups, value, weight, Unsafe.As<GradsOut<T>, GradsOut<double>>(ref grads), threads);
        }
    }

    private readonly struct ArgBackwardJob<T, TF>(TF f, int* args, double* weight, GradsOut<T> g) : IJob<T>
        where T : unmanaged where TF : struct, IPairFormula
    {
        public void Run(ref Problem<T> p, int threads) => ArgBackward.Run(ref p, f, args, weight, g);
    }

    private static void CheckType<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"The pair engine runs float and double, not {typeof(T).Name}.");
    }

    internal static int Lanes<T>() where T : unmanaged =>
        Width == SimdWidth.Auto && Vector512.IsHardwareAccelerated ? 64 / sizeof(T) : 32 / sizeof(T);

    /// <summary>Pins the operands, builds the per-call data (packed panels, norms, label ids, padded column
    /// values) in pooled scratch, and runs <paramref name="job"/> on it.</summary>
    private static void Run<T, TF, TM, TR, TJob>(in PairOperands<T> o, bool needX, bool needY, TJob job, bool pack = true, int threads = 0, bool symmetric = false)
        where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce where TJob : struct, IJob<T>
    {
        var nr = 2 * Lanes<T>();
        var panels = (o.M + nr - 1) / nr;
        var cols = panels * nr;
        var second = TF.ReadsSecondRelation;
        var metricAux = o.Metric != PairMetric.Dot;
        var metricAux2 = second && o.Metric2 != PairMetric.Dot;
        var size = (pack ? ScratchArena.Size<T>((long)cols * o.D) + (second ? ScratchArena.Size<T>((long)cols * o.D2) : 0) : 0)
                   + (TM.ReadsLabels ? ScratchArena.Size<T>(o.N) + ScratchArena.Size<T>(cols) : 0)
                   + (metricAux ? ScratchArena.Size<T>(o.N) + ScratchArena.Size<T>(cols) : 0)
                   + (metricAux2 ? ScratchArena.Size<T>(o.N) + ScratchArena.Size<T>(cols) : 0)
                   + ScratchArena.Size<T>(cols) * (nuint)TF.ColumnValueCount;
        using var arena = new ScratchArena(size);
        fixed (T* x = o.X, y = o.Y, x2 = o.X2, y2 = o.Y2, w = o.Weights, r0 = o.R0, r1 = o.R1, c0 = o.C0, c1 = o.C1)
        {
            var p = new Problem<T>
            {
                X = x, Y = o.Self ? x : y, X2 = x2, Y2 = o.Self ? x2 : y2, W = w, R0 = r0, R1 = r1,
                N = o.N, M = o.M, D = o.D, D2 = second ? o.D2 : 0, Self = o.Self, Second = second,
                NeedX = needX, NeedY = needY, Metric = o.Metric, Metric2 = o.Metric2,
                NR = nr, Panels = panels, Cols = cols, Symmetric = symmetric,
            };
            if (pack)
            {
                p.Pack = arena.Take<T>((long)cols * o.D);
                Dispatch<T>.PackPanels(p.Y, o.M, o.D, panels, p.Pack);
                if (second)
                {
                    p.Pack2 = arena.Take<T>((long)cols * o.D2);
                    Dispatch<T>.PackPanels(p.Y2, o.M, o.D2, panels, p.Pack2);
                }
            }
            if (TM.ReadsLabels)
            {
                p.RowLab = arena.Take<T>(o.N);
                p.ColLab = arena.Take<T>(cols);
                DenseLabels(o.RowLabels, o.ColumnLabels.IsEmpty ? o.RowLabels : o.ColumnLabels, p.RowLab, p.ColLab, cols);
            }
            if (metricAux)
            {
                p.RowAux = arena.Take<T>(o.N);
                p.ColAux = arena.Take<T>(cols);
                Aux(o.Metric, p.X, o.N, o.D, p.RowAux, o.N);
                Aux(o.Metric, p.Y, o.M, o.D, p.ColAux, cols);
            }
            if (metricAux2)
            {
                p.RowAux2 = arena.Take<T>(o.N);
                p.ColAux2 = arena.Take<T>(cols);
                Aux(o.Metric2, p.X2, o.N, o.D2, p.RowAux2, o.N);
                Aux(o.Metric2, p.Y2, o.M, o.D2, p.ColAux2, cols);
            }
            if (TF.ColumnValueCount > 0) p.C0 = Padded(arena, c0, o.M, cols);
            if (TF.ColumnValueCount > 1) p.C1 = Padded(arena, c1, o.M, cols);
            job.Run(ref p, Math.Max(1, threads > 0 ? threads : MaxThreads));
        }
    }

    private static T* Padded<T>(ScratchArena arena, T* source, int m, int cols) where T : unmanaged
    {
        var dst = arena.Take<T>(cols, zero: true);
        Buffer.MemoryCopy(source, dst, (long)cols * sizeof(T), (long)m * sizeof(T));
        return dst;
    }

    /// <summary>Maps int64 labels to dense ids 0, 1, 2, ... in order of first appearance (one map for rows and columns),
    /// exact in float lanes below 2^24 distinct labels; column padding gets −1, which no row has. Labels within a span
    /// of a few times their count (class ids, sample indices) map through a table; others through a dictionary (a
    /// dictionary alone took 0.2 ms of a 512-row call, more than the packing of its columns).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DenseLabels<T>(ReadOnlySpan<long> rowLabels, ReadOnlySpan<long> columnLabels, T* rows, T* columns, int cols) where T : unmanaged
    {
        long min = long.MaxValue, max = long.MinValue;
        foreach (var label in rowLabels) { min = Math.Min(min, label); max = Math.Max(max, label); }
        foreach (var label in columnLabels) { min = Math.Min(min, label); max = Math.Max(max, label); }
        var labels = rowLabels.Length + columnLabels.Length;
        // max − min is computed only when it cannot overflow (both on one side of zero, or both near it).
        var small = labels > 0 && (min >= 0 || max < 0 || (min > -(1L << 40) && max < 1L << 40)) && max - min < Math.Min(4L * labels + 1024, 1L << 30);
        if (small)
        {
            var span = (int)(max - min + 1);
            var table = ArrayPool<int>.Shared.Rent(span);
            try
            {
                table.AsSpan(0, span).Fill(-1);
                var next = 0;
                for (var i = 0; i < rowLabels.Length; i++) rows[i] = FromDouble<T>(TableId(table, rowLabels[i] - min, ref next));
                for (var j = 0; j < cols; j++) columns[j] = FromDouble<T>(j < columnLabels.Length ? TableId(table, columnLabels[j] - min, ref next) : -1);
                if (next >= 1 << 24) throw new NotSupportedException("More than 2^24 distinct labels in one call.");
            }
            finally
            {
                ArrayPool<int>.Shared.Return(table);
            }
            return;
        }
        var ids = new Dictionary<long, int>();
        for (var i = 0; i < rowLabels.Length; i++) rows[i] = FromDouble<T>(Id(ids, rowLabels[i]));
        for (var j = 0; j < cols; j++) columns[j] = FromDouble<T>(j < columnLabels.Length ? Id(ids, columnLabels[j]) : -1);
        if (ids.Count >= 1 << 24) throw new NotSupportedException("More than 2^24 distinct labels in one call.");

        static int Id(Dictionary<long, int> ids, long label)
        {
            if (!ids.TryGetValue(label, out var id)) ids[label] = id = ids.Count;
            return id;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TableId(int[] table, long offset, ref int next)
    {
        ref var id = ref table[offset];
        if (id < 0) id = next++;
        return id;
    }

    /// <summary>The engine's own cosine metric's ρ = 1 / max(‖r‖, 1e-12) from ‖r‖² (F.normalize's floor), and 0 for a zero
    /// row: its cosines are 0 with no gradient, as <c>Ops.Normalize</c> leaves a zero row, where the floor alone would
    /// give the row a gradient of 10^12 times the other row's. (Used by direct engine calls, the second relation and
    /// the ILGPU kernels; <c>PairFunction</c> hands the CPU engine unit rows instead, see <c>CosineRows</c>.)</summary>
    internal static double InverseNorm(double squaredNorm) => squaredNorm == 0.0 ? 0.0 : 1.0 / Math.Max(Math.Sqrt(squaredNorm), 1e-12);

    /// <summary>Per-row metric aux: ρ (<see cref="InverseNorm"/>, cosine, accumulated in double) or ‖r‖² (distances, see
    /// <see cref="SquaredNorm{T}"/>); zero past <paramref name="n"/>.</summary>
    private static void Aux<T>(PairMetric metric, T* rows, int n, int d, T* aux, int length) where T : unmanaged
    {
        for (var i = 0; i < length; i++)
        {
            if (i >= n) { aux[i] = default; continue; }
            var row = rows + (long)i * d;
            if (metric != PairMetric.Cosine)
            {
                aux[i] = SquaredNorm(row, d);
                continue;
            }
            var sq = 0.0;
            for (var k = 0; k < d; k++) { var v = ToDouble(row[k]); sq += v * v; }
            aux[i] = FromDouble<T>(InverseNorm(sq));
        }
    }

    /// <summary>‖x‖² with exactly the micro-kernel's arithmetic for a dot product (one fused multiply-add per k, in T,
    /// from k = 0): a row equal to another then has ‖x‖² + ‖y‖² − 2⟨x, y⟩ = 0 exactly, so equal rows are exactly 0
    /// apart with no gradient (issue 9, item 2), with no epsilon and no comparison of rows.</summary>
    private static T SquaredNorm<T>(T* row, int d) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            var f = (float*)row;
            var acc = 0f;
            for (var k = 0; k < d; k++) acc = MathF.FusedMultiplyAdd(f[k], f[k], acc);
            return Unsafe.As<float, T>(ref acc);
        }
        var x = (double*)row;
        var sum = 0.0;
        for (var k = 0; k < d; k++) sum = Math.FusedMultiplyAdd(x[k], x[k], sum);
        return Unsafe.As<double, T>(ref sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T FromDouble<T>(double v) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) { var f = (float)v; return Unsafe.As<float, T>(ref f); }
        return Unsafe.As<double, T>(ref v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double ToDouble<T>(T v) where T : unmanaged =>
        typeof(T) == typeof(float) ? Unsafe.As<T, float>(ref v) : Unsafe.As<T, double>(ref v);

    /// <summary>Routes a call to the kernel of T's element type and the chosen width.</summary>
    private static class Dispatch<T> where T : unmanaged
    {
        public static void PackPanels(T* y, int m, int d, int panels, T* destination)
        {
            var wide = Lanes<T>() * sizeof(T) == 64;
            if (typeof(T) == typeof(float))
            {
                if (wide) PairKernel<float, Vector512<float>, Simd512F>.PackPanels((float*)y, m, d, panels, (float*)destination);
                else PairKernel<float, Vector256<float>, Simd256F>.PackPanels((float*)y, m, d, panels, (float*)destination);
            }
            else
            {
                if (wide) PairKernel<double, Vector512<double>, Simd512D>.PackPanels((double*)y, m, d, panels, (double*)destination);
                else PairKernel<double, Vector256<double>, Simd256D>.PackPanels((double*)y, m, d, panels, (double*)destination);
            }
        }

        public static void Forward<TF, TM, TR>(ref Problem<T> p, TF f, TM m, RowsOut o, int threads)
            where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
        {
            var wide = Lanes<T>() * sizeof(T) == 64;
            if (typeof(T) == typeof(float))
            {
                ref var pf = ref Unsafe.As<Problem<T>, Problem<float>>(ref p);
                if (wide) PairKernel<float, Vector512<float>, Simd512F>.Forward<TF, TM, TR>(ref pf, f, m, o, threads);
                else PairKernel<float, Vector256<float>, Simd256F>.Forward<TF, TM, TR>(ref pf, f, m, o, threads);
            }
            else
            {
                ref var pd = ref Unsafe.As<Problem<T>, Problem<double>>(ref p);
                if (wide) PairKernel<double, Vector512<double>, Simd512D>.Forward<TF, TM, TR>(ref pd, f, m, o, threads);
                else PairKernel<double, Vector256<double>, Simd256D>.Forward<TF, TM, TR>(ref pd, f, m, o, threads);
            }
        }

        public static void Backward<TF, TM, TR>(ref Problem<T> p, TF f, TM m, double* value, double* weight, GradsOut<T> g, int threads)
            where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
        {
            var wide = Lanes<T>() * sizeof(T) == 64;
            if (typeof(T) == typeof(float))
            {
                ref var pf = ref Unsafe.As<Problem<T>, Problem<float>>(ref p);
                var gf = Unsafe.As<GradsOut<T>, GradsOut<float>>(ref g);
                if (wide) PairKernel<float, Vector512<float>, Simd512F>.Backward<TF, TM, TR>(ref pf, f, m, value, weight, gf, threads);
                else PairKernel<float, Vector256<float>, Simd256F>.Backward<TF, TM, TR>(ref pf, f, m, value, weight, gf, threads);
            }
            else
            {
                ref var pd = ref Unsafe.As<Problem<T>, Problem<double>>(ref p);
                var gd = Unsafe.As<GradsOut<T>, GradsOut<double>>(ref g);
                if (wide) PairKernel<double, Vector512<double>, Simd512D>.Backward<TF, TM, TR>(ref pd, f, m, value, weight, gd, threads);
                else PairKernel<double, Vector256<double>, Simd256D>.Backward<TF, TM, TR>(ref pd, f, m, value, weight, gd, threads);
            }
        }
    }
}
