using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace LossDsl.Runtime.Kernels;

/// <summary>One call's operands as pointers, plus the per-call derived data the loops read (packed column
/// panels, norms, dense label ids, padded column values). Built by <see cref="PairEngine"/>, which pins the
/// spans for the duration of the call.</summary>
internal unsafe struct Problem<T> where T : unmanaged
{
    public T* X, Y, X2, Y2, W, R0, R1;
    public int N, M, D, D2;
    public bool Self, Second, NeedX, NeedY;
    /// <summary>A self relation under a log-sum-exp whose pairs are symmetric (symmetric formula and mask, see
    /// <c>PairEngine.SymmetricLogSumExp</c>): forward and backward visit only the upper triangle of tiles, each
    /// off-diagonal pair adding to both of its rows (the backward symmetrises its coefficients, <see cref="ColValue"/>).</summary>
    public bool Symmetric;
    /// <summary>[Cols], set for a symmetric log-sum-exp backward: each column's forward value lse_j and weight w_j
    /// (zero past M). The pair coefficient is then ½(w_i e^{f_ij − lse_i} + w_j e^{f_ij − lse_j}), symmetric in (i, j)
    /// for a symmetric formula and mask, and the doubled row side adds both sides' gradients.</summary>
    public T* ColValue, ColWeight;
    public PairMetric Metric, Metric2;
    /// <summary>Columns per panel (two vectors), panels, and padded column count (Panels · NR).</summary>
    public int NR, Panels, Cols;
    /// <summary>y (and y2) packed as [panel][k][NR] for the micro-kernel; zero-padded past M.</summary>
    public T* Pack, Pack2;
    /// <summary>Dense label ids (rows [N], columns [Cols]); −1 in padding.</summary>
    public T* RowLab, ColLab;
    /// <summary>Metric aux: ρ = 1 / max(‖·‖, 1e-12) for cosine (0 for a zero row), ‖·‖² for distances (rows [N], columns [Cols]).</summary>
    public T* RowAux, ColAux, RowAux2, ColAux2;
    /// <summary>Column values padded to [Cols].</summary>
    public T* C0, C1;
}

/// <summary>One pass's work on one row tile (a struct, so the JIT compiles the tile loop for it).</summary>
internal unsafe interface ITileWork<T, TV> where T : unmanaged where TV : unmanaged
{
    /// <summary>Runs tile <paramref name="tile"/> with worker <paramref name="w"/>'s scratch.</summary>
    void Tile(int tile, Worker<T, TV>* w);
}

/// <summary>The loops of the generic pair engine for one element type and one vector width: packing, the
/// register-blocked micro-kernels and the per-pair epilogue. Forward and backward live in the partial files
/// beside this one. Row tiles of <see cref="MC"/> rows run in parallel; a tile walks all column panels of
/// <c>NR = 2 · Lanes</c> columns, and for each panel, its groups of <see cref="MR"/> rows, so one panel is read
/// from L1 by the whole tile.</summary>
internal static unsafe partial class PairKernel<T, TV, TS>
    where T : unmanaged
    where TV : unmanaged
    where TS : struct, ISimd<TV, T>
{
    /// <summary>Rows per micro-tile (8 · 2 vector accumulators = 16 registers).</summary>
    public const int MR = 8;
    /// <summary>Rows per parallel tile.</summary>
    public const int MC = 64;

    public static int NR => 2 * TS.Lanes;

    /// <summary>Runs tiles 0 … tiles − 1: on the calling thread for one worker, else each worker pulls the next tile
    /// (in order, so the half-tile passes hand out their largest tiles first) with its own scratch and its own copy
    /// of <paramref name="work"/>.</summary>
    private static void ForTiles<TW>(int tiles, int workers, Worker<T, TV>* ws, TW work) where TW : struct, ITileWork<T, TV>
    {
        if (workers == 1)
        {
            for (var t = 0; t < tiles; t++) work.Tile(t, ws);
            return;
        }
        var next = new StrongBox<int>(-1);
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, k =>
        {
            var own = work;
            for (int t; (t = Interlocked.Increment(ref next.Value)) < tiles;) own.Tile(t, ws + k);
        });
    }

    /// <summary>Packs rows [first, first + count) of a row-major [·, d] matrix as MR-row groups laid out
    /// [group][k][MR] (zero rows past count), so the micro-kernel reads each k's MR values contiguously.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackRowGroups(T* source, int first, int count, int d, T* destination)
    {
        var groups = (count + MR - 1) / MR;
        for (var g = 0; g < groups; g++)
        {
            var dst = destination + (long)g * d * MR;
            for (var r = 0; r < MR; r++)
            {
                var row = g * MR + r;
                if (row < count)
                {
                    var src = source + (long)(first + row) * d;
                    for (var k = 0; k < d; k++) dst[k * MR + r] = src[k];
                }
                else
                {
                    for (var k = 0; k < d; k++) dst[k * MR + r] = default;
                }
            }
        }
    }

    /// <summary>Copies rows [first, first + count) into <paramref name="destination"/> [MC, d] with zero rows
    /// after them, so every group of the tile has MR readable rows.</summary>
    public static void CopyRows(T* source, int first, int count, int d, T* destination)
    {
        var bytes = (long)count * d * sizeof(T);
        Buffer.MemoryCopy(source + (long)first * d, destination, bytes, bytes);
        var rest = (long)(MC - count) * d * sizeof(T);
        if (rest > 0) new Span<byte>((byte*)(destination + (long)count * d), checked((int)rest)).Clear();
    }

    /// <summary>Packs all of y [m, d] as panels [panel][k][NR], zero past m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackPanels(T* y, int m, int d, int panels, T* destination)
    {
        var nr = NR;
        for (var p = 0; p < panels; p++)
        {
            var dst = destination + (long)p * d * nr;
            for (var c = 0; c < nr; c++)
            {
                var j = p * nr + c;
                if (j < m)
                {
                    var src = y + (long)j * d;
                    for (var k = 0; k < d; k++) dst[k * nr + c] = src[k];
                }
                else
                {
                    for (var k = 0; k < d; k++) dst[k * nr + c] = default;
                }
            }
        }
    }

    /// <summary>The MR × NR tile of dot products: <c>o[2r + v] = ⟨x_r, y_{v·L .. v·L+L}⟩</c> from an MR-row
    /// group packed [k][MR] and a panel packed [k][NR]: 16 accumulators, one broadcast of x and two loads of
    /// y per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dot8(T* xp, T* yp, int d, TV* o)
    {
        var lanes = TS.Lanes;
        var nr = 2 * lanes;
        TV a00 = TS.Zero, a01 = TS.Zero, a10 = TS.Zero, a11 = TS.Zero, a20 = TS.Zero, a21 = TS.Zero, a30 = TS.Zero, a31 = TS.Zero;
        TV a40 = TS.Zero, a41 = TS.Zero, a50 = TS.Zero, a51 = TS.Zero, a60 = TS.Zero, a61 = TS.Zero, a70 = TS.Zero, a71 = TS.Zero;
        for (var k = 0; k < d; k++, xp += MR, yp += nr)
        {
            var b0 = TS.Load(ref *yp);
            var b1 = TS.Load(ref *(yp + lanes));
            var x = TS.Broadcast(xp[0]); a00 = TS.Fma(x, b0, a00); a01 = TS.Fma(x, b1, a01);
            x = TS.Broadcast(xp[1]); a10 = TS.Fma(x, b0, a10); a11 = TS.Fma(x, b1, a11);
            x = TS.Broadcast(xp[2]); a20 = TS.Fma(x, b0, a20); a21 = TS.Fma(x, b1, a21);
            x = TS.Broadcast(xp[3]); a30 = TS.Fma(x, b0, a30); a31 = TS.Fma(x, b1, a31);
            x = TS.Broadcast(xp[4]); a40 = TS.Fma(x, b0, a40); a41 = TS.Fma(x, b1, a41);
            x = TS.Broadcast(xp[5]); a50 = TS.Fma(x, b0, a50); a51 = TS.Fma(x, b1, a51);
            x = TS.Broadcast(xp[6]); a60 = TS.Fma(x, b0, a60); a61 = TS.Fma(x, b1, a61);
            x = TS.Broadcast(xp[7]); a70 = TS.Fma(x, b0, a70); a71 = TS.Fma(x, b1, a71);
        }
        o[0] = a00; o[1] = a01; o[2] = a10; o[3] = a11; o[4] = a20; o[5] = a21; o[6] = a30; o[7] = a31;
        o[8] = a40; o[9] = a41; o[10] = a50; o[11] = a51; o[12] = a60; o[13] = a61; o[14] = a70; o[15] = a71;
    }

    /// <summary><c>dx[r, :] += Σ_{c &lt; cols} b[r, c] · y[c, :]</c> for the MR rows of a group: dx rows [MR, d]
    /// (a tile scratch), b [MR, NR], y the row-major rows of the panel's columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddBY(T* b, int cols, T* y, int d, T* dx)
    {
        var lanes = TS.Lanes;
        var nr = 2 * lanes;
        var k = 0;
        for (; k + 2 * lanes <= d; k += 2 * lanes)
        {
            TV a00 = TS.Load(ref dx[k]), a01 = TS.Load(ref dx[k + lanes]);
            TV a10 = TS.Load(ref dx[d + k]), a11 = TS.Load(ref dx[d + k + lanes]);
            TV a20 = TS.Load(ref dx[2 * d + k]), a21 = TS.Load(ref dx[2 * d + k + lanes]);
            TV a30 = TS.Load(ref dx[3 * d + k]), a31 = TS.Load(ref dx[3 * d + k + lanes]);
            TV a40 = TS.Load(ref dx[4 * d + k]), a41 = TS.Load(ref dx[4 * d + k + lanes]);
            TV a50 = TS.Load(ref dx[5 * d + k]), a51 = TS.Load(ref dx[5 * d + k + lanes]);
            TV a60 = TS.Load(ref dx[6 * d + k]), a61 = TS.Load(ref dx[6 * d + k + lanes]);
            TV a70 = TS.Load(ref dx[7 * d + k]), a71 = TS.Load(ref dx[7 * d + k + lanes]);
            for (var c = 0; c < cols; c++)
            {
                var yr = y + (long)c * d + k;
                var y0 = TS.Load(ref yr[0]);
                var y1 = TS.Load(ref yr[lanes]);
                var bc = b + c;
                var w = TS.Broadcast(bc[0]); a00 = TS.Fma(w, y0, a00); a01 = TS.Fma(w, y1, a01);
                w = TS.Broadcast(bc[nr]); a10 = TS.Fma(w, y0, a10); a11 = TS.Fma(w, y1, a11);
                w = TS.Broadcast(bc[2 * nr]); a20 = TS.Fma(w, y0, a20); a21 = TS.Fma(w, y1, a21);
                w = TS.Broadcast(bc[3 * nr]); a30 = TS.Fma(w, y0, a30); a31 = TS.Fma(w, y1, a31);
                w = TS.Broadcast(bc[4 * nr]); a40 = TS.Fma(w, y0, a40); a41 = TS.Fma(w, y1, a41);
                w = TS.Broadcast(bc[5 * nr]); a50 = TS.Fma(w, y0, a50); a51 = TS.Fma(w, y1, a51);
                w = TS.Broadcast(bc[6 * nr]); a60 = TS.Fma(w, y0, a60); a61 = TS.Fma(w, y1, a61);
                w = TS.Broadcast(bc[7 * nr]); a70 = TS.Fma(w, y0, a70); a71 = TS.Fma(w, y1, a71);
            }
            TS.Store(a00, ref dx[k]); TS.Store(a01, ref dx[k + lanes]);
            TS.Store(a10, ref dx[d + k]); TS.Store(a11, ref dx[d + k + lanes]);
            TS.Store(a20, ref dx[2 * d + k]); TS.Store(a21, ref dx[2 * d + k + lanes]);
            TS.Store(a30, ref dx[3 * d + k]); TS.Store(a31, ref dx[3 * d + k + lanes]);
            TS.Store(a40, ref dx[4 * d + k]); TS.Store(a41, ref dx[4 * d + k + lanes]);
            TS.Store(a50, ref dx[5 * d + k]); TS.Store(a51, ref dx[5 * d + k + lanes]);
            TS.Store(a60, ref dx[6 * d + k]); TS.Store(a61, ref dx[6 * d + k + lanes]);
            TS.Store(a70, ref dx[7 * d + k]); TS.Store(a71, ref dx[7 * d + k + lanes]);
        }
        // Feature tail (d not a multiple of 2 · lanes): one vector, then scalars.
        for (; k + lanes <= d; k += lanes)
            for (var r = 0; r < MR; r++)
            {
                var acc = TS.Load(ref dx[r * d + k]);
                for (var c = 0; c < cols; c++) acc = TS.Fma(TS.Broadcast(b[r * nr + c]), TS.Load(ref y[(long)c * d + k]), acc);
                TS.Store(acc, ref dx[r * d + k]);
            }
        for (; k < d; k++)
            for (var r = 0; r < MR; r++)
            {
                var acc = TS.ToDouble(dx[r * d + k]);
                for (var c = 0; c < cols; c++) acc += TS.ToDouble(b[r * nr + c]) * TS.ToDouble(y[(long)c * d + k]);
                dx[r * d + k] = TS.FromDouble(acc);
            }
    }

    /// <summary><c>dy[c, :] += Σ_{r &lt; rows} b[r, c] · x[r, :]</c> for the panel's columns c &lt; cols: b [rows, NR] (a
    /// whole tile's rows, so each dy row is loaded and stored once per tile), x the tile's rows [rows, d] (zero past
    /// N), dy the row-major rows of the panel's columns. Four columns × two vectors per block: each x load feeds
    /// four accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddBtX(T* b, int rows, int cols, T* x, int d, T* dy)
    {
        var lanes = TS.Lanes;
        var nr = 2 * lanes;
        var c = 0;
        for (; c + 4 <= cols; c += 4)
        {
            var dy0 = dy + (long)c * d;
            var dy1 = dy0 + d;
            var dy2 = dy1 + d;
            var dy3 = dy2 + d;
            var k = 0;
            for (; k + 2 * lanes <= d; k += 2 * lanes)
            {
                TV p00 = TS.Load(ref dy0[k]), p01 = TS.Load(ref dy0[k + lanes]);
                TV p10 = TS.Load(ref dy1[k]), p11 = TS.Load(ref dy1[k + lanes]);
                TV p20 = TS.Load(ref dy2[k]), p21 = TS.Load(ref dy2[k + lanes]);
                TV p30 = TS.Load(ref dy3[k]), p31 = TS.Load(ref dy3[k + lanes]);
                var br = b + c;
                var xr = x + k;
                for (var r = 0; r < rows; r++, br += nr, xr += d)
                {
                    var x0 = TS.Load(ref xr[0]);
                    var x1 = TS.Load(ref xr[lanes]);
                    var w = TS.Broadcast(br[0]); p00 = TS.Fma(w, x0, p00); p01 = TS.Fma(w, x1, p01);
                    w = TS.Broadcast(br[1]); p10 = TS.Fma(w, x0, p10); p11 = TS.Fma(w, x1, p11);
                    w = TS.Broadcast(br[2]); p20 = TS.Fma(w, x0, p20); p21 = TS.Fma(w, x1, p21);
                    w = TS.Broadcast(br[3]); p30 = TS.Fma(w, x0, p30); p31 = TS.Fma(w, x1, p31);
                }
                TS.Store(p00, ref dy0[k]); TS.Store(p01, ref dy0[k + lanes]);
                TS.Store(p10, ref dy1[k]); TS.Store(p11, ref dy1[k + lanes]);
                TS.Store(p20, ref dy2[k]); TS.Store(p21, ref dy2[k + lanes]);
                TS.Store(p30, ref dy3[k]); TS.Store(p31, ref dy3[k + lanes]);
            }
            for (; k < d; k++)
                for (var q = 0; q < 4; q++)
                {
                    var s0 = TS.ToDouble(dy[(long)(c + q) * d + k]);
                    for (var r = 0; r < rows; r++) s0 += TS.ToDouble(b[r * nr + c + q]) * TS.ToDouble(x[(long)r * d + k]);
                    dy[(long)(c + q) * d + k] = TS.FromDouble(s0);
                }
        }
        for (; c < cols; c++)
        {
            var dy0 = dy + (long)c * d;
            for (var k = 0; k < d; k++)
            {
                var s0 = TS.ToDouble(dy0[k]);
                for (var r = 0; r < rows; r++) s0 += TS.ToDouble(b[r * nr + c]) * TS.ToDouble(x[(long)r * d + k]);
                dy0[k] = TS.FromDouble(s0);
            }
        }
    }

    /// <summary>The metric leaf from a dot product and the aux values (ρ or squared norms). Self-relation
    /// distances are exactly 0 on the diagonal (<paramref name="diagonal"/> marks that lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Metric(PairMetric metric, TV dot, TV rowAux, TV colAux, TV diagonal, bool hasDiagonal, out TV squared)
    {
        squared = default;
        switch (metric)
        {
            case PairMetric.Dot:
                return dot;
            case PairMetric.Cosine:
                return TS.Mul(TS.Mul(dot, rowAux), colAux);
            case PairMetric.SqEuclidean:
            {
                squared = TS.Sub(TS.Add(rowAux, colAux), TS.Add(dot, dot));
                var s = TS.Max(squared, TS.Zero);
                return hasDiagonal ? TS.Select(diagonal, TS.Zero, s) : s;
            }
            default:
            {
                squared = TS.Sub(TS.Add(rowAux, colAux), TS.Add(dot, dot));
                var s = TS.Sqrt(TS.Max(squared, TS.Zero));
                return hasDiagonal ? TS.Select(diagonal, TS.Zero, s) : s;
            }
        }
    }

    /// <summary>Back through the metric: given <c>c = ∂L/∂s</c> at a pair, the coefficient <c>b</c> of the cross
    /// terms (<c>dx_i += b·y_j</c>, <c>dy_j += b·x_i</c>) and the "own" coefficient <c>o</c> (<c>dx_i += φ_i·o·x_i</c>,
    /// <c>dy_j += φ_j·o·y_j</c>, with φ = −ρ² for cosine and 1 for distances; 0 for dot).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV MetricBack(PairMetric metric, TV c, TV s, TV squared, TV rowAux, TV colAux, TV diagonal, bool hasDiagonal, out TV own)
    {
        switch (metric)
        {
            case PairMetric.Dot:
                own = TS.Zero;
                return c;
            case PairMetric.Cosine:
                own = TS.Mul(c, s);
                return TS.Mul(TS.Mul(c, rowAux), colAux);
            case PairMetric.SqEuclidean:
            {
                // ∂s/∂x_i = 2(x_i − y_j) where the clamp at 0 is inactive; the diagonal passes nothing.
                var live = TS.Gt(squared, TS.Zero);
                if (hasDiagonal) live = TS.Select(diagonal, TS.Zero, live);
                var cc = TS.Select(live, c, TS.Zero);
                own = TS.Add(cc, cc);
                return TS.Neg(own);
            }
            default:
            {
                // d = √sq: ∂d/∂x_i = (x_i − y_j) / d where d > 0; equal rows (sq exactly 0) pass nothing.
                var live = TS.Gt(squared, TS.Zero);
                if (hasDiagonal) live = TS.Select(diagonal, TS.Zero, live);
                var cc = TS.Select(live, TS.Div(c, s), TS.Zero);
                own = cc;
                return TS.Neg(cc);
            }
        }
    }
}
