using System;
using System.Runtime.CompilerServices;

namespace LossDsl.Runtime.Kernels;

/// <summary>Where a forward pass writes its per-row results (see <see cref="PairRows"/>).</summary>
internal unsafe struct RowsOut
{
    public double* Value;
    public long* Count, NonZero;
    public int* Arg;
}

/// <summary>One worker's scratch for a pass (carved from one arena per call).</summary>
internal unsafe struct Worker<T, TV> where T : unmanaged where TV : unmanaged
{
    public T* XPack, XPack2, XRows, DXTile, BTile, Tmp;
    public TV* Acc, Acc2;
    /// <summary>Row accumulators [MC] each (their meaning depends on the reduction and the pass).</summary>
    public TV* A, B, C, RA, RB;
    /// <summary>Thread-local column-side gradient buffers: dy [M, D], own-term coefficients and column values [Cols].</summary>
    public T* DY, ColOwn, DC0, DC1;
    /// <summary>Thread-local column-side log-sum-exp state of a half-tile forward [Cols]: reference (−∞ while a column
    /// is empty), shift and Σ e^{f − shift} (see <see cref="PairKernel{T, TV, TS}.LogSumExpStep"/>).</summary>
    public T* ColRef, ColShift, ColSum;
}

internal static unsafe partial class PairKernel<T, TV, TS>
{
    /// <summary>The forward pass: per row i, <c>reduce_{j kept} f(s_ij, ...)</c> into <paramref name="output"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TF, TM, TR>(ref Problem<T> p, TF f, TM m, RowsOut output, int maxThreads)
        where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        var tiles = (p.N + MC - 1) / MC;
        if (tiles == 0) return;
        var workers = Math.Max(1, Math.Min(SmallWork(ref p) ? 1 : maxThreads, tiles));
        // A symmetric log-sum-exp visits the upper triangle of tiles only (HalfTiles): each off-diagonal pair's value
        // goes to row i's sum and, through the worker's column state, to row j's; half the products of a full pass.
        var half = HalfTiles<TR>(ref p);
        var perWorker = ScratchArena.Size<T>((long)MC * p.D) + ScratchArena.Size<T>((long)MC * p.D2) + ScratchArena.Size<T>(TS.Lanes)
                        + 2 * ScratchArena.Size<TV>(2 * MR) + 3 * ScratchArena.Size<TV>(MC)
                        + (half ? 3 * ScratchArena.Size<T>(p.Cols) : 0);
        using var arena = new ScratchArena(perWorker * (nuint)workers + ScratchArena.Size<Worker<T, TV>>(workers));
        var ws = arena.Take<Worker<T, TV>>(workers);
        for (var k = 0; k < workers; k++)
        {
            ws[k] = default;
            ws[k].XPack = arena.Take<T>((long)MC * p.D);
            ws[k].XPack2 = arena.Take<T>((long)MC * p.D2);
            ws[k].Tmp = arena.Take<T>(TS.Lanes);
            ws[k].Acc = arena.Take<TV>(2 * MR);
            ws[k].Acc2 = arena.Take<TV>(2 * MR);
            ws[k].A = arena.Take<TV>(MC);
            ws[k].B = arena.Take<TV>(MC);
            ws[k].C = arena.Take<TV>(MC);
            if (!half) continue;
            ws[k].ColRef = arena.Take<T>(p.Cols);
            ws[k].ColShift = arena.Take<T>(p.Cols, zero: true);
            ws[k].ColSum = arena.Take<T>(p.Cols, zero: true);
            new Span<T>(ws[k].ColRef, p.Cols).Fill(TS.FromDouble(double.NegativeInfinity));
        }

        ForTiles(tiles, workers, ws, new ForwardTiles<TF, TM, TR>(p, f, m, output));
        if (half) AddColumnSides(ref p, ws, workers, output);
    }

    /// <summary>The forward pass's work on one row tile.</summary>
    private struct ForwardTiles<TF, TM, TR>(Problem<T> p, TF f, TM m, RowsOut output) : ITileWork<T, TV>
        where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        private Problem<T> _p = p;
        private TF _f = f;
        private TM _m = m;

        public void Tile(int tile, Worker<T, TV>* w) => ForwardTile<TF, TM, TR>(ref _p, ref _f, ref _m, tile, w, output);
    }

    /// <summary>Half tiles: row j's log-sum-exp so far (its own tile's columns) combined, in double, with the sums the
    /// workers kept for column j (the tiles above it): log(e^{row} + Σ_k sum_k · e^{shift_k}). NaN anywhere stays NaN.</summary>
    private static void AddColumnSides(ref Problem<T> p, Worker<T, TV>* ws, int workers, RowsOut output)
    {
        for (var j = 0; j < p.M; j++)
        {
            var max = output.Value[j];
            var nan = double.IsNaN(max);
            for (var k = 0; k < workers; k++)
            {
                var sum = TS.ToDouble(ws[k].ColSum[j]);
                if (double.IsNaN(sum)) nan = true;
                else if (sum != 0.0) max = Math.Max(max, TS.ToDouble(ws[k].ColShift[j]) + Math.Log(sum));
            }
            if (nan) { output.Value[j] = double.NaN; continue; }
            if (double.IsNegativeInfinity(max)) continue;
            var total = Math.Exp(output.Value[j] - max);
            for (var k = 0; k < workers; k++)
            {
                var sum = TS.ToDouble(ws[k].ColSum[j]);
                if (sum != 0.0) total += sum * Math.Exp(TS.ToDouble(ws[k].ColShift[j]) - max);
            }
            output.Value[j] = max + Math.Log(total);
        }
    }

    /// <summary>Below about 2^26 multiply-adds (a few milliseconds on one core) a second thread costs more to hand
    /// work to than it saves, most of all on a loaded machine: such calls run on the calling thread.</summary>
    internal static bool SmallWork(ref Problem<T> p) => (long)p.N * p.M * (p.D + p.D2) < 1L << 26;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardTile<TF, TM, TR>(ref Problem<T> p, ref TF f, ref TM m, int tile, Worker<T, TV>* w, RowsOut output)
        where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        var lanes = TS.Lanes;
        var nr = 2 * lanes;
        var i0 = tile * MC;
        var rows = Math.Min(MC, p.N - i0);
        var groups = (rows + MR - 1) / MR;
        PackRowGroups(p.X, i0, rows, p.D, w->XPack);
        if (TF.ReadsSecondRelation) PackRowGroups(p.X2, i0, rows, p.D2, w->XPack2);

        TV* a = w->A, b = w->B, c = w->C;
        var kind = TR.Kind;
        for (var r = 0; r < rows; r++)
        {
            switch (kind)
            {
                case ReduceKind.Sum: a[r] = TS.Zero; b[r] = TS.Zero; c[r] = TS.Zero; break;
                case ReduceKind.LogSumExp: a[r] = TS.Const(double.NegativeInfinity); b[r] = TS.Zero; c[r] = TS.Zero; break;
                case ReduceKind.Max: a[r] = TS.Const(double.NegativeInfinity); b[r] = TS.Const(-1); c[r] = TS.Zero; break;
                default: a[r] = TS.Const(double.PositiveInfinity); b[r] = TS.Const(-1); c[r] = TS.Zero; break;
            }
        }

        var distance = p.Metric is PairMetric.Euclidean or PairMetric.SqEuclidean;
        var distance2 = p.Metric2 is PairMetric.Euclidean or PairMetric.SqEuclidean;
        // Half tiles: panels left of the tile were this tile's columns in an earlier tile; the diagonal block holds both
        // orders of its pairs, so it adds to its rows only.
        var half = HalfTiles<TR>(ref p);
        for (var panel = half ? i0 / nr : 0; panel < p.Panels; panel++)
        {
            var j0 = panel * nr;
            var tail = j0 + nr > p.M;
            var columnSide = half && j0 >= i0 + MC;
            var col0 = Columns<TF, TM>(ref p, j0, tail);
            var col1 = Columns<TF, TM>(ref p, j0 + lanes, tail);
            var yp = p.Pack + (long)panel * p.D * nr;
            var yp2 = TF.ReadsSecondRelation ? p.Pack2 + (long)panel * p.D2 * nr : null;
            for (var g = 0; g < groups; g++)
            {
                Dot8(w->XPack + (long)g * p.D * MR, yp, p.D, w->Acc);
                if (TF.ReadsSecondRelation) Dot8(w->XPack2 + (long)g * p.D2 * MR, yp2, p.D2, w->Acc2);
                var rmax = Math.Min(MR, rows - g * MR);
                for (var r = 0; r < rmax; r++)
                {
                    var li = g * MR + r;
                    var row = Row<TF, TM>(ref p, i0 + li);
                    var diagonal = p.Self && i0 + li >= j0 && i0 + li < j0 + nr;
                    Visit<TF, TM, TR>(ref p, ref f, ref m, row, col0, w, w->Acc[2 * r], w->Acc2[2 * r], diagonal && distance, diagonal && distance2, li, columnSide);
                    Visit<TF, TM, TR>(ref p, ref f, ref m, row, col1, w, w->Acc[2 * r + 1], w->Acc2[2 * r + 1], diagonal && distance, diagonal && distance2, li, columnSide);
                }
            }
        }

        for (var r = 0; r < rows; r++)
            FinishRow(kind, a[r], b[r], c[r], i0 + r, output);
    }

    /// <summary>What the epilogue reads of one row.</summary>
    internal struct RowData
    {
        public int I;
        public TV Index, Aux, Aux2, Label, R0, R1;
        public T* Weights;
    }

    /// <summary>What the epilogue reads of one vector of columns.</summary>
    internal struct ColumnData
    {
        public int J;
        public bool Tail;
        public TV Index, Valid, Aux, Aux2, Label, C0, C1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static RowData Row<TF, TM>(ref Problem<T> p, int i) where TF : struct, IPairFormula where TM : struct, IPairMask
    {
        var row = new RowData { I = i, Index = TS.Broadcast(TS.FromDouble(i)) };
        if (p.Metric != PairMetric.Dot) row.Aux = TS.Broadcast(p.RowAux[i]);
        if (TF.ReadsSecondRelation && p.Metric2 != PairMetric.Dot) row.Aux2 = TS.Broadcast(p.RowAux2[i]);
        if (TM.ReadsLabels) row.Label = TS.Broadcast(p.RowLab[i]);
        if (TF.RowValueCount > 0) row.R0 = TS.Broadcast(p.R0[i]);
        if (TF.RowValueCount > 1) row.R1 = TS.Broadcast(p.R1[i]);
        if (TM.ReadsWeights) row.Weights = p.W + (long)i * p.M;
        return row;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ColumnData Columns<TF, TM>(ref Problem<T> p, int j, bool tail) where TF : struct, IPairFormula where TM : struct, IPairMask
    {
        var col = new ColumnData { J = j, Tail = tail };
        col.Index = TS.Add(TS.Iota, TS.Broadcast(TS.FromDouble(j)));
        col.Valid = tail ? TS.Lt(col.Index, TS.Broadcast(TS.FromDouble(p.M))) : TS.True;
        if (p.Metric != PairMetric.Dot) col.Aux = TS.Load(ref p.ColAux[j]);
        if (TF.ReadsSecondRelation && p.Metric2 != PairMetric.Dot) col.Aux2 = TS.Load(ref p.ColAux2[j]);
        if (TM.ReadsLabels) col.Label = TS.Load(ref p.ColLab[j]);
        if (TF.ColumnValueCount > 0) col.C0 = TS.Load(ref p.C0[j]);
        if (TF.ColumnValueCount > 1) col.C1 = TS.Load(ref p.C1[j]);
        return col;
    }

    /// <summary>Pair weights w_ij for one vector of columns (zero past M).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Weights(ref Problem<T> p, in RowData row, in ColumnData col, T* tmp)
    {
        var lanes = TS.Lanes;
        if (col.J + lanes <= p.M) return TS.Load(ref row.Weights[col.J]);
        for (var k = 0; k < lanes; k++) tmp[k] = col.J + k < p.M ? row.Weights[col.J + k] : default;
        return TS.Load(ref tmp[0]);
    }

    /// <summary>The leaves of the formula at one row and one vector of columns, and the mask of kept pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static PairInputs<TV> Leaves<TF, TM>(ref Problem<T> p, ref TM m, in RowData row, in ColumnData col, T* tmp,
        TV dot, TV dot2, bool diagonal, bool diagonal2, out TV keep, out TV squared)
        where TF : struct, IPairFormula where TM : struct, IPairMask
    {
        var diag = diagonal || diagonal2 ? TS.Eq(col.Index, row.Index) : TS.Zero;
        var inputs = new PairInputs<TV>
        {
            S = Metric(p.Metric, dot, row.Aux, col.Aux, diag, diagonal, out squared),
            W = TM.ReadsWeights ? Weights(ref p, row, col, tmp) : TS.Const(1),
            R0 = row.R0, R1 = row.R1, C0 = col.C0, C1 = col.C1,
        };
        if (TF.ReadsSecondRelation) inputs.S2 = Metric(p.Metric2, dot2, row.Aux2, col.Aux2, diag, diagonal2, out _);
        keep = m.Keep<TV, TS>(row.I, col.Index, row.Label, col.Label);
        if (col.Tail) keep = TS.And(keep, col.Valid);
        return inputs;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Visit<TF, TM, TR>(ref Problem<T> p, ref TF f, ref TM m, in RowData row, in ColumnData col, Worker<T, TV>* w,
        TV dot, TV dot2, bool diagonal, bool diagonal2, int li, bool columnSide)
        where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        var inputs = Leaves<TF, TM>(ref p, ref m, row, col, w->Tmp, dot, dot2, diagonal, diagonal2, out var keep, out _);
        var fv = f.Value<TV, TS>(inputs);
        TV* a = w->A + li, b = w->B + li, c = w->C + li;
        switch (TR.Kind)
        {
            case ReduceKind.Sum:
            {
                var one = TS.Const(1);
                *a = TS.Add(*a, TS.Select(keep, fv, TS.Zero));
                *b = TS.Add(*b, TS.Select(keep, one, TS.Zero));
                *c = TS.Add(*c, TS.Select(TS.And(keep, TS.Gt(fv, TS.Zero)), one, TS.Zero));
                break;
            }
            case ReduceKind.LogSumExp:
            {
                var fm = TS.Select(keep, fv, TS.Const(double.NegativeInfinity));
                LogSumExpStep(fm, a, b, c);
                if (columnSide)
                {
                    // The same values as column j's: row i is one of the rows of column j's sum.
                    ref T cr = ref w->ColRef[col.J], cs = ref w->ColShift[col.J], cc = ref w->ColSum[col.J];
                    TV ra = TS.Load(ref cr), rb = TS.Load(ref cs), rc = TS.Load(ref cc);
                    LogSumExpStep(fm, &ra, &rb, &rc);
                    TS.Store(ra, ref cr);
                    TS.Store(rb, ref cs);
                    TS.Store(rc, ref cc);
                }
                break;
            }
            case ReduceKind.Max:
            {
                var fm = TS.Select(keep, fv, TS.Const(double.NegativeInfinity));
                var better = TS.Gt(fm, *a);
                *a = TS.Select(better, fm, *a);
                *b = TS.Select(better, col.Index, *b);
                *c = TS.Select(TS.And(keep, TS.IsNaN(fv)), TS.True, *c);
                break;
            }
            default:
            {
                var fm = TS.Select(keep, fv, TS.Const(double.PositiveInfinity));
                var better = TS.Lt(fm, *a);
                *a = TS.Select(better, fm, *a);
                *b = TS.Select(better, col.Index, *b);
                *c = TS.Select(TS.And(keep, TS.IsNaN(fv)), TS.True, *c);
                break;
            }
        }
    }

    /// <summary>How far a value may pass its lane's shift before the shift moves: the sum's terms stay below e^8
    /// (~3,000), far from overflow, while the shift (and the rescaling exponential) moves only a few times per row
    /// instead of at every new maximum.</summary>
    private const double LazyShiftMargin = 8.0;

    /// <summary>One step of a running log-sum-exp per lane: a = reference (−∞ while the lane is empty), b = shift (the
    /// reference, or 0 while empty), c = Σ e^{f − b}. The shift moves to the largest value seen only when a value passes
    /// the reference by more than <see cref="LazyShiftMargin"/>; the result, b + log c, is exact whatever the shift.
    /// A NaN value makes c NaN (never caught by the comparison, it flows through the exponential).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LogSumExpStep(TV fm, TV* a, TV* b, TV* c)
    {
        if (TS.Any(TS.Gt(fm, TS.Add(*a, TS.Const(LazyShiftMargin)))))
        {
            var max = TS.MaxFast(*a, fm);
            var shift = TS.Select(TS.Eq(max, TS.Const(double.NegativeInfinity)), TS.Zero, max);
            // A lane that was empty holds c = 0 with shift 0: rescaling it by e^{0 − shift} would overflow to
            // 0 · ∞ = NaN once the new shift is below about −88 (float32), so a zero sum stays 0 (a NaN sum
            // stays NaN: c > 0 only after a value, when the shift only grows and e^{b − shift} ≤ 1).
            *c = TS.Select(TS.Eq(*c, TS.Zero), TS.Zero, TS.Mul(*c, TS.Exp(TS.Sub(*b, shift))));
            *a = max;
            *b = shift;
        }
        *c = TS.Add(*c, TS.Exp(TS.Sub(fm, *b)));
    }

    /// <summary>Combines a row's lanes into its result (in double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FinishRow(ReduceKind kind, TV a, TV b, TV c, int i, RowsOut output)
    {
        var lanes = TS.Lanes;
        switch (kind)
        {
            case ReduceKind.Sum:
                output.Value[i] = TS.SumToDouble(a);
                if (output.Count != null) output.Count[i] = (long)TS.SumToDouble(b);
                if (output.NonZero != null) output.NonZero[i] = (long)TS.SumToDouble(c);
                break;
            case ReduceKind.LogSumExp:
            {
                if (TS.Any(TS.IsNaN(a)) || TS.Any(TS.IsNaN(c))) { output.Value[i] = double.NaN; break; }
                var max = TS.MaxLane(a);
                if (double.IsNegativeInfinity(TS.ToDouble(max))) { output.Value[i] = double.NegativeInfinity; break; }
                // Each lane's sum at the row's largest reference: c · e^{b − max} ≤ c (b ≤ a ≤ max); 0 for an empty lane
                // (whose shift 0 may lie far above max: the product is not used there). One vector exponential per row
                // instead of a scalar one per lane (a tenth of a 512-row forward).
                var scaled = TS.Select(TS.Eq(c, TS.Zero), TS.Zero, TS.Mul(c, TS.Exp(TS.Sub(b, TS.Broadcast(max)))));
                output.Value[i] = TS.ToDouble(max) + Math.Log(TS.SumToDouble(scaled));
                break;
            }
            default:
            {
                var isMax = kind == ReduceKind.Max;
                var best = isMax ? double.NegativeInfinity : double.PositiveInfinity;
                var arg = -1;
                var nan = false;
                for (var k = 0; k < lanes; k++)
                {
                    if (TS.ToDouble(TS.Lane(c, k)) != 0.0 || double.IsNaN(TS.ToDouble(TS.Lane(c, k)))) nan = true;
                    var v = TS.ToDouble(TS.Lane(a, k));
                    var j = (int)TS.ToDouble(TS.Lane(b, k));
                    if (j < 0) continue;
                    if ((isMax ? v > best : v < best) || (v == best && (arg < 0 || j < arg))) { best = v; arg = j; }
                }
                output.Value[i] = nan ? double.NaN : best;
                if (output.Arg != null) output.Arg[i] = arg;
                break;
            }
        }
    }
}
