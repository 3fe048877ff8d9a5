using System;
using System.Runtime.CompilerServices;

namespace LossDsl.Runtime.Kernels;

/// <summary>Where a backward pass adds its gradients (null: not wanted).</summary>
internal unsafe struct GradsOut<T> where T : unmanaged
{
    public T* DX, DY, DR0, DR1, DC0, DC1;
    /// <summary>Optional [N]: Σ_j f_ij of the kept pairs, computed on the way (sum reductions whose gradient needs
    /// no forward output, such as a plain mean, then cost one pass instead of two).</summary>
    public double* RowSum;
}

internal static unsafe partial class PairKernel<T, TV, TS>
{
    /// <summary>The backward pass of a sum or log-sum-exp reduction: with <c>w_i = ∂L/∂out_i</c>
    /// (<paramref name="rowWeight"/>) and, for log-sum-exp, the forward's <paramref name="rowValue"/>, each kept pair
    /// gets <c>coef_ij = w_i</c> (sum) or <c>w_i · e^{f_ij − lse_i}</c>; then <c>c_ij = coef_ij · ∂f/∂s</c> goes through
    /// the metric into <c>dx_i += Σ_j b_ij y_j</c> (a register-blocked product per tile) and <c>dy_j += Σ_i b_ij x_i</c>
    /// (thread-local buffers, summed at the end), and <c>coef_ij · ∂f/∂v</c> into the row and column values.
    /// Pair values are recomputed, never stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<TF, TM, TR>(ref Problem<T> p, TF f, TM m, double* rowValue, double* rowWeight, GradsOut<T> grads, int maxThreads)
        where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        var tiles = (p.N + MC - 1) / MC;
        if (tiles == 0) return;
        var workers = Math.Max(1, Math.Min(SmallWork(ref p) ? 1 : maxThreads, tiles));
        // A symmetric log-sum-exp visits only the upper triangle of tiles (HalfTiles): each off-diagonal pair adds its
        // coefficient to both rows, the column side through the workers' buffers.
        var half = HalfTiles<TR>(ref p);
        var columnSide = half ? p.NeedX : !p.Symmetric && (p.Self ? p.NeedX : p.NeedY);
        var own = p.Metric != PairMetric.Dot;
        var needC0 = TF.ColumnValueCount > 0 && grads.DC0 != null;
        var needC1 = TF.ColumnValueCount > 1 && grads.DC1 != null;
        var perWorker = ScratchArena.Size<T>((long)MC * p.D) * 3 + ScratchArena.Size<T>((long)MC * p.D2)
                        + ScratchArena.Size<T>((long)MC * NR) + ScratchArena.Size<T>(TS.Lanes)
                        + 2 * ScratchArena.Size<TV>(2 * MR) + 4 * ScratchArena.Size<TV>(MC)
                        + (columnSide ? ScratchArena.Size<T>((long)p.M * p.D) : 0)
                        + (own && columnSide ? ScratchArena.Size<T>(p.Cols) : 0)
                        + (needC0 ? ScratchArena.Size<T>(p.Cols) : 0) + (needC1 ? ScratchArena.Size<T>(p.Cols) : 0);
        using var arena = new ScratchArena(perWorker * (nuint)workers + ScratchArena.Size<Worker<T, TV>>(workers)
                                           + (half ? 2 * ScratchArena.Size<T>(p.Cols) : 0));
        var ws = arena.Take<Worker<T, TV>>(workers);
        if (half)
        {
            // Column j of a self relation is row j: its log-sum-exp and weight, padded with zero weights.
            p.ColValue = arena.Take<T>(p.Cols, zero: true);
            p.ColWeight = arena.Take<T>(p.Cols, zero: true);
            for (var j = 0; j < p.M; j++)
            {
                p.ColWeight[j] = TS.FromDouble(rowWeight[j]);
                // A weightless row contributes exactly 0 (e^{f − ∞}), never 0 · ∞.
                p.ColValue[j] = TS.FromDouble(rowWeight[j] == 0.0 ? double.PositiveInfinity : rowValue[j]);
            }
        }
        for (var k = 0; k < workers; k++)
        {
            ws[k] = default;
            ws[k].XPack = arena.Take<T>((long)MC * p.D);
            ws[k].XPack2 = arena.Take<T>((long)MC * p.D2);
            ws[k].XRows = arena.Take<T>((long)MC * p.D);
            ws[k].DXTile = arena.Take<T>((long)MC * p.D);
            ws[k].BTile = arena.Take<T>((long)MC * NR);
            ws[k].Tmp = arena.Take<T>(TS.Lanes);
            ws[k].Acc = arena.Take<TV>(2 * MR);
            ws[k].Acc2 = arena.Take<TV>(2 * MR);
            ws[k].A = arena.Take<TV>(MC);
            ws[k].RA = arena.Take<TV>(MC);
            ws[k].RB = arena.Take<TV>(MC);
            ws[k].C = arena.Take<TV>(MC);
            if (columnSide) ws[k].DY = arena.Take<T>((long)p.M * p.D, zero: true);
            if (own && columnSide) ws[k].ColOwn = arena.Take<T>(p.Cols, zero: true);
            if (needC0) ws[k].DC0 = arena.Take<T>(p.Cols, zero: true);
            if (needC1) ws[k].DC1 = arena.Take<T>(p.Cols, zero: true);
        }

        ForTiles(tiles, workers, ws, new BackwardTiles<TF, TM, TR>(p, f, m, rowValue, rowWeight, grads));

        // Column side: the workers' buffers, then the own term φ_j · o_j · y_j (doubled as the row side is when the
        // coefficients were halved for symmetry).
        var columnTarget = p.Self ? grads.DX : grads.DY;
        var columnScale = half ? 2.0 : 1.0;
        var scale = TS.Broadcast(TS.FromDouble(columnScale));
        for (var k = 0; k < workers; k++)
        {
            if (columnSide && columnTarget != null)
            {
                var n = (long)p.M * p.D;
                var src = ws[k].DY;
                long e = 0;
                for (; e + TS.Lanes <= n; e += TS.Lanes)
                    TS.Store(TS.Fma(scale, TS.Load(ref src[e]), TS.Load(ref columnTarget[e])), ref columnTarget[e]);
                for (; e < n; e++) columnTarget[e] = TS.FromDouble(TS.ToDouble(columnTarget[e]) + columnScale * TS.ToDouble(src[e]));
                if (own)
                    for (var j = 0; j < p.M; j++)
                    {
                        var o = columnScale * TS.ToDouble(ws[k].ColOwn[j]) * Phi(ref p, p.ColAux, j);
                        if (o == 0.0) continue;
                        var yj = p.Y + (long)j * p.D;
                        var dst = columnTarget + (long)j * p.D;
                        for (var d = 0; d < p.D; d++) dst[d] = TS.FromDouble(TS.ToDouble(dst[d]) + o * TS.ToDouble(yj[d]));
                    }
            }
            if (needC0) for (var j = 0; j < p.M; j++) grads.DC0[j] = TS.FromDouble(TS.ToDouble(grads.DC0[j]) + TS.ToDouble(ws[k].DC0[j]));
            if (needC1) for (var j = 0; j < p.M; j++) grads.DC1[j] = TS.FromDouble(TS.ToDouble(grads.DC1[j]) + TS.ToDouble(ws[k].DC1[j]));
        }
    }

    /// <summary>The backward pass's work on one row tile.</summary>
    private struct BackwardTiles<TF, TM, TR>(Problem<T> p, TF f, TM m, double* rowValue, double* rowWeight, GradsOut<T> grads) : ITileWork<T, TV>
        where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        private Problem<T> _p = p;
        private TF _f = f;
        private TM _m = m;

        public void Tile(int tile, Worker<T, TV>* w) => BackwardTile<TF, TM, TR>(ref _p, ref _f, ref _m, tile, w, rowValue, rowWeight, grads);
    }

    /// <summary>Whether a pass visits only the upper triangle of tiles: a symmetric log-sum-exp, where pair (i, j) has the
    /// value of pair (j, i) (the forward adds it to both rows' sums) and, its coefficients symmetrised through
    /// <see cref="Problem{T}.ColValue"/>, adds the same gradient (the backward).
    /// Tile boundaries fall on panel boundaries: MC (64) is a multiple of every NR (2 · Lanes ≤ 32).</summary>
    internal static bool HalfTiles<TR>(ref Problem<T> p) where TR : struct, IPairReduce =>
        p.Symmetric && TR.Kind == ReduceKind.LogSumExp;

    /// <summary>φ of the own term: −ρ² for cosine, 1 for distances.</summary>
    private static double Phi(ref Problem<T> p, T* aux, int k)
    {
        if (p.Metric != PairMetric.Cosine) return 1.0;
        var rho = TS.ToDouble(aux[k]);
        return -rho * rho;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardTile<TF, TM, TR>(ref Problem<T> p, ref TF f, ref TM m, int tile, Worker<T, TV>* w,
        double* rowValue, double* rowWeight, GradsOut<T> grads)
        where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        var lanes = TS.Lanes;
        var nr = 2 * lanes;
        var i0 = tile * MC;
        var rows = Math.Min(MC, p.N - i0);
        var groups = (rows + MR - 1) / MR;
        var rowSide = p.NeedX && grads.DX != null;
        var columnBuffers = w->DY != null;
        var half = HalfTiles<TR>(ref p);
        var own = p.Metric != PairMetric.Dot;
        PackRowGroups(p.X, i0, rows, p.D, w->XPack);
        if (TF.ReadsSecondRelation) PackRowGroups(p.X2, i0, rows, p.D2, w->XPack2);
        if (columnBuffers) CopyRows(p.X, i0, rows, p.D, w->XRows);
        if (rowSide) new Span<byte>(w->DXTile, checked(MC * p.D * sizeof(T))).Clear();
        for (var r = 0; r < MC; r++) { w->A[r] = TS.Zero; w->RA[r] = TS.Zero; w->RB[r] = TS.Zero; w->C[r] = TS.Zero; }

        var distance = p.Metric is PairMetric.Euclidean or PairMetric.SqEuclidean;
        var distance2 = p.Metric2 is PairMetric.Euclidean or PairMetric.SqEuclidean;
        // Half tiles: panels left of the tile were this tile's columns in an earlier tile; the diagonal block (panels
        // inside the tile's own range) holds both orders of its pairs, so it adds to its rows only.
        for (var panel = half ? i0 / nr : 0; panel < p.Panels; panel++)
        {
            var j0 = panel * nr;
            var cols = Math.Min(nr, p.M - j0);
            var tail = cols < nr;
            var columnSide = columnBuffers && (!half || j0 >= i0 + MC);
            var col0 = Columns<TF, TM>(ref p, j0, tail);
            var col1 = Columns<TF, TM>(ref p, j0 + lanes, tail);
            var yp = p.Pack + (long)panel * p.D * nr;
            var yp2 = TF.ReadsSecondRelation ? p.Pack2 + (long)panel * p.D2 * nr : null;
            // b for the whole tile's rows ([MC, NR]): dx per group (its rows), then dy once for the tile.
            var anyInTile = false;
            for (var g = 0; g < groups; g++)
            {
                Dot8(w->XPack + (long)g * p.D * MR, yp, p.D, w->Acc);
                if (TF.ReadsSecondRelation) Dot8(w->XPack2 + (long)g * p.D2 * MR, yp2, p.D2, w->Acc2);
                var rmax = Math.Min(MR, rows - g * MR);
                var any = false;
                for (var r = 0; r < MR; r++)
                {
                    var li = g * MR + r;
                    var bt = w->BTile + li * nr;
                    var weight = r < rmax ? rowWeight[i0 + li] : 0.0;
                    // A row without weight still receives its columns' side when the coefficients are symmetrised.
                    if (r >= rmax || (weight == 0.0 && grads.RowSum == null && p.ColValue == null))
                    {
                        // A row that receives no gradient (an empty row, a row outside the batch) adds nothing.
                        TS.Store(TS.Zero, ref bt[0]);
                        TS.Store(TS.Zero, ref bt[lanes]);
                        continue;
                    }
                    var row = Row<TF, TM>(ref p, i0 + li);
                    var wv = TS.Broadcast(TS.FromDouble(weight));
                    var lse = TR.Kind == ReduceKind.LogSumExp
                        ? TS.Broadcast(TS.FromDouble(weight == 0.0 && p.ColValue != null ? double.PositiveInfinity : rowValue[i0 + li]))
                        : TS.Zero;
                    var diagonal = p.Self && i0 + li >= j0 && i0 + li < j0 + nr;
                    var sums = grads.RowSum != null;
                    any |= BackVisit<TF, TM, TR>(ref p, ref f, ref m, row, col0, w, w->Acc[2 * r], w->Acc2[2 * r], diagonal && distance, diagonal && distance2, li, wv, lse, bt, own, columnSide, sums);
                    any |= BackVisit<TF, TM, TR>(ref p, ref f, ref m, row, col1, w, w->Acc[2 * r + 1], w->Acc2[2 * r + 1], diagonal && distance, diagonal && distance2, li, wv, lse, bt + lanes, own, columnSide, sums);
                }
                anyInTile |= any;
                if (any && rowSide) AddBY(w->BTile + (long)g * MR * nr, cols, p.Y + (long)j0 * p.D, p.D, w->DXTile + (long)g * MR * p.D);
            }
            if (anyInTile && columnSide) AddBtX(w->BTile, groups * MR, cols, w->XRows, p.D, w->DY + (long)j0 * p.D);
        }

        for (var r = 0; r < rows; r++)
        {
            var i = i0 + r;
            if (rowSide)
            {
                // dx_i += twice · (Σ_j b_ij y_j + o_i · x_i), in vectors of T.
                var dst = grads.DX + (long)i * p.D;
                var src = w->DXTile + (long)r * p.D;
                var twice = p.Symmetric ? 2.0 : 1.0;
                var o = own ? twice * TS.SumToDouble(w->A[r]) * Phi(ref p, p.RowAux, i) : 0.0;
                var xi = p.X + (long)i * p.D;
                TV tv = TS.Broadcast(TS.FromDouble(twice)), ov = TS.Broadcast(TS.FromDouble(o));
                var d = 0;
                for (; d + TS.Lanes <= p.D; d += TS.Lanes)
                    TS.Store(TS.Fma(ov, TS.Load(ref xi[d]), TS.Fma(tv, TS.Load(ref src[d]), TS.Load(ref dst[d]))), ref dst[d]);
                for (; d < p.D; d++)
                    dst[d] = TS.FromDouble(TS.ToDouble(dst[d]) + twice * TS.ToDouble(src[d]) + o * TS.ToDouble(xi[d]));
            }
            if (grads.RowSum != null) grads.RowSum[i] = TS.SumToDouble(w->C[r]);
            if (TF.RowValueCount > 0 && grads.DR0 != null) grads.DR0[i] = TS.FromDouble(TS.ToDouble(grads.DR0[i]) + TS.SumToDouble(w->RA[r]));
            if (TF.RowValueCount > 1 && grads.DR1 != null) grads.DR1[i] = TS.FromDouble(TS.ToDouble(grads.DR1[i]) + TS.SumToDouble(w->RB[r]));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool BackVisit<TF, TM, TR>(ref Problem<T> p, ref TF f, ref TM m, in RowData row, in ColumnData col, Worker<T, TV>* w,
        TV dot, TV dot2, bool diagonal, bool diagonal2, int li, TV weight, TV lse, T* bt, bool own, bool columnSide, bool sums)
        where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        var inputs = Leaves<TF, TM>(ref p, ref m, row, col, w->Tmp, dot, dot2, diagonal, diagonal2, out var keep, out var squared);
        var d = f.Partials<TV, TS>(inputs);
        var coef = TR.Kind == ReduceKind.LogSumExp ? TS.Mul(weight, TS.Exp(TS.Sub(d.F, lse))) : weight;
        if (TR.Kind == ReduceKind.LogSumExp && p.ColValue != null)
        {
            // ½(w_i e^{f − lse_i} + w_j e^{f − lse_j}): the pair's coefficient as row i's and as row j's.
            var other = TS.Mul(TS.Load(ref p.ColWeight[col.J]), TS.Exp(TS.Sub(d.F, TS.Load(ref p.ColValue[col.J]))));
            coef = TS.Mul(TS.Add(coef, other), TS.Broadcast(TS.FromDouble(0.5)));
        }
        coef = TS.Select(keep, coef, TS.Zero);
        if (sums) w->C[li] = TS.Add(w->C[li], TS.Select(keep, d.F, TS.Zero));
        if (TF.RowValueCount > 0) w->RA[li] = TS.Fma(coef, d.R0, w->RA[li]);
        if (TF.RowValueCount > 1) w->RB[li] = TS.Fma(coef, d.R1, w->RB[li]);
        if (TF.ColumnValueCount > 0 && w->DC0 != null) TS.Store(TS.Fma(coef, d.C0, TS.Load(ref w->DC0[col.J])), ref w->DC0[col.J]);
        if (TF.ColumnValueCount > 1 && w->DC1 != null) TS.Store(TS.Fma(coef, d.C1, TS.Load(ref w->DC1[col.J])), ref w->DC1[col.J]);
        var diag = diagonal ? TS.Eq(col.Index, row.Index) : TS.Zero;
        var b = MetricBack(p.Metric, TS.Mul(coef, d.S), inputs.S, squared, row.Aux, col.Aux, diag, diagonal, out var o);
        if (own)
        {
            w->A[li] = TS.Add(w->A[li], o);
            if (columnSide) TS.Store(TS.Add(TS.Load(ref w->ColOwn[col.J]), o), ref w->ColOwn[col.J]);
        }
        TS.Store(b, ref bt[0]);
        return TS.Any(TS.Ne(b, TS.Zero));
    }
}
