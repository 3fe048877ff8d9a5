using System;
using System.Numerics;
using static TorchSharp.torch;
using NumericVector = System.Numerics.Vector;

namespace LossDsl.Runtime.Kernels;

/// <summary>The operands of a cosine relation as the CPU bridge hands them to the engine: each row divided by its L2
/// norm (computed in double; rows whose norm T cannot hold as a normal number are first scaled by their largest
/// magnitude, as <c>Ops.Normalize</c> scales every row), and the engine running a dot product of those unit rows; the backward maps the engine's gradient with respect to the unit
/// rows, g, back through the division, <c>∂L/∂x_i = (g_i − ⟨g_i, x̂_i⟩ x̂_i) / ‖x_i‖</c>, in O(N·D).
/// <para>Why not the engine's own cosine (<c>⟨x_i, y_j⟩ · ρ_i · ρ_j</c> on the raw rows): that product overflows or
/// underflows for float32 rows of norm 10^20 or 10^−25 where the scaled division is exact at any finite magnitude
/// (IssueInputsTests, item 6), and it rounds three more times per pair, so a one-feature cosine is ±1 only to a few
/// ulps instead of exactly — which a one-class SupCon of a few hundred rows adds up to 2·10^−4 in its gradient. A zero
/// row gives unit row 0 and no gradient; a row holding NaN or ±∞ gives NaN, both as <c>Ops.Normalize</c>.</para></summary>
internal sealed class CosineRows : IDisposable
{
    private readonly double[]? _rowNorms, _columnNorms;

    private CosineRows(Tensor x, Tensor y, PairMetric metric, double[]? rowNorms, double[]? columnNorms)
    {
        X = x;
        Y = y;
        Metric = metric;
        _rowNorms = rowNorms;
        _columnNorms = columnNorms;
    }

    /// <summary>The rows the engine reads (unit rows for a cosine relation, else the caller's).</summary>
    public Tensor X { get; }

    /// <summary>The columns the engine reads (x itself for a self relation).</summary>
    public Tensor Y { get; }

    /// <summary>The metric the engine runs: dot for a cosine relation, else the call's.</summary>
    public PairMetric Metric { get; }

    /// <summary>The engine's operands for x [N, D] and y [M, D] (the same tensor for a self relation), CPU tensors.</summary>
    public static CosineRows For(Tensor x, Tensor y, bool self, PairMetric metric)
    {
        if (metric != PairMetric.Cosine) return new CosineRows(x, y, metric, null, null);
        var unitX = Unit(x, out var rowNorms);
        if (self) return new CosineRows(unitX, unitX, PairMetric.Dot, rowNorms, rowNorms);
        var unitY = Unit(y, out var columnNorms);
        return new CosineRows(unitX, unitY, PairMetric.Dot, rowNorms, columnNorms);
    }

    /// <summary>Turns the engine's gradients with respect to the unit rows (and columns) into gradients with respect to
    /// the caller's rows, in place; nothing for another metric.</summary>
    public void Backward(Tensor dx, Tensor? dy)
    {
        if (_rowNorms is null) return;
        Through(X, _rowNorms, dx);
        if (dy is not null) Through(Y, _columnNorms!, dy);
    }

    public void Dispose()
    {
        if (_rowNorms is null) return;
        if (!ReferenceEquals(Y, X)) Y.Dispose();
        X.Dispose();
    }

    private static Tensor Unit(Tensor x, out double[] norms)
    {
        using var detached = x.detach();
        using var source = detached.contiguous();
        var unit = empty_like(source);
        int n = (int)x.shape[0], d = (int)x.shape[1];
        norms = new double[n];
        if (x.dtype == ScalarType.Float32) UnitRows<float>(TensorIo.Span<float>(source), TensorIo.Span<float>(unit), norms, n, d);
        else UnitRows<double>(TensorIo.Span<double>(source), TensorIo.Span<double>(unit), norms, n, d);
        return unit;
    }

    private static void Through(Tensor unit, double[] norms, Tensor grad)
    {
        int n = (int)unit.shape[0], d = (int)unit.shape[1];
        if (unit.dtype == ScalarType.Float32) ThroughRows<float>(TensorIo.Span<float>(unit), norms, TensorIo.Span<float>(grad), n, d);
        else ThroughRows<double>(TensorIo.Span<double>(unit), norms, TensorIo.Span<double>(grad), n, d);
    }

    /// <summary>x̂_i = x_i / ‖x_i‖ and norms[i] = ‖x_i‖ (0 for a zero row, NaN for a row with NaN or ±∞). The squares
    /// are summed in double (a float32 square is exact there), so where ‖x_i‖ is a normal number of T the row is divided
    /// by it once; a one-feature row gives exactly ±1. Elsewhere (float32 norms past float.MaxValue, float64 rows whose
    /// squares leave double's range) the row is scaled by its largest magnitude first, as <c>Ops.Normalize</c> does.</summary>
    private static void UnitRows<T>(ReadOnlySpan<T> x, Span<T> unit, double[] norms, int n, int d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < n; i++)
        {
            var row = x.Slice(i * d, d);
            var output = unit.Slice(i * d, d);
            var squares = SumOfSquares(row);
            if (squares >= MinSquares<T>() && squares <= MaxSquares<T>())
            {
                var norm = Math.Sqrt(squares);
                Divide(row, T.CreateTruncating(norm), output);
                norms[i] = norm;
            }
            else norms[i] = ScaledUnitRow(row, output);
        }
    }

    /// <summary>Σ x_k² in double (four lanes of double per step).</summary>
    private static double SumOfSquares<T>(ReadOnlySpan<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = 0;
        var sum = 0.0;
        if (typeof(T) == typeof(float) && NumericVector.IsHardwareAccelerated && row.Length >= Vector<float>.Count)
        {
            var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(row);
            Vector<double> low = Vector<double>.Zero, high = Vector<double>.Zero;
            for (; k + Vector<float>.Count <= floats.Length; k += Vector<float>.Count)
            {
                NumericVector.Widen(new Vector<float>(floats.Slice(k)), out var a, out var b);
                low += a * a;
                high += b * b;
            }
            sum = NumericVector.Sum(low + high);
        }
        for (; k < row.Length; k++)
        {
            var v = double.CreateTruncating(row[k]);
            sum += v * v;
        }
        return sum;
    }

    /// <summary>Below this Σx² the norm is not a normal number of T (float32: a subnormal divisor keeps a few bits, so
    /// [2ε, 3ε] would become [0.5, 0.75]), or float64 squares may have lost bits to underflow; zero rows land here too.</summary>
    private static double MinSquares<T>() => typeof(T) == typeof(float) ? SmallestNormalFloat * SmallestNormalFloat : 1e-290;

    /// <summary>2^−126, the smallest normal float32.</summary>
    private const double SmallestNormalFloat = 1.1754943508222875e-38;

    /// <summary>Above this Σx², ‖x‖ is not a finite T (float32), or float64 squares are near overflow.</summary>
    private static double MaxSquares<T>() => typeof(T) == typeof(float) ? (double)float.MaxValue * float.MaxValue : 1e290;

    private static void Divide<T>(ReadOnlySpan<T> row, T divisor, Span<T> output) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = 0;
        if (NumericVector.IsHardwareAccelerated && row.Length >= Vector<T>.Count)
        {
            var vd = new Vector<T>(divisor);
            for (; k + Vector<T>.Count <= row.Length; k += Vector<T>.Count) (new Vector<T>(row.Slice(k)) / vd).CopyTo(output.Slice(k));
        }
        for (; k < row.Length; k++) output[k] = row[k] / divisor;
    }

    /// <summary>The unit row by <c>Ops.Normalize</c>'s arithmetic, (x / m) / ‖x / m‖ with m = max_k |x_k|, for rows whose
    /// squares leave double's range or whose norm T cannot hold; returns ‖x‖ (0 for a zero row, NaN for NaN or ±∞).</summary>
    private static double ScaledUnitRow<T>(ReadOnlySpan<T> row, Span<T> output) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var largest = LargestMagnitude(row);
        if (!T.IsFinite(largest)) { output.Fill(T.NaN); return double.NaN; }
        if (largest == T.Zero) { output.Clear(); return 0.0; }
        var squares = 0.0;
        for (var k = 0; k < row.Length; k++)
        {
            var scaled = row[k] / largest;
            output[k] = scaled;
            squares += double.CreateTruncating(scaled) * double.CreateTruncating(scaled);
        }
        var norm = T.CreateTruncating(Math.Sqrt(squares));
        for (var k = 0; k < row.Length; k++) output[k] /= norm;
        return double.CreateTruncating(largest) * Math.Sqrt(squares);
    }

    /// <summary>g_i ← (g_i − ⟨g_i, x̂_i⟩ x̂_i) / ‖x_i‖ per row (0 for a zero row: <c>Ops.Normalize</c>'s zero row has no
    /// gradient).</summary>
    private static void ThroughRows<T>(ReadOnlySpan<T> unit, double[] norms, Span<T> grad, int n, int d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < n; i++)
        {
            var u = unit.Slice(i * d, d);
            var g = grad.Slice(i * d, d);
            if (norms[i] == 0.0) { g.Clear(); continue; }
            var along = 0.0;
            var k = 0;
            if (NumericVector.IsHardwareAccelerated && d >= Vector<T>.Count)
            {
                var acc = Vector<T>.Zero;
                for (; k + Vector<T>.Count <= d; k += Vector<T>.Count) acc += new Vector<T>(g.Slice(k)) * new Vector<T>(u.Slice(k));
                along = double.CreateTruncating(NumericVector.Sum(acc));
            }
            for (; k < d; k++) along += double.CreateTruncating(g[k] * u[k]);
            T c = T.CreateTruncating(along), inverse = T.CreateTruncating(1.0 / norms[i]);
            if (T.IsInfinity(inverse))
            {
                // A float32 row of norm below ~3·10^−39: 1/‖x‖ exists only in double.
                for (var j = 0; j < d; j++) g[j] = T.CreateTruncating((double.CreateTruncating(g[j]) - along * double.CreateTruncating(u[j])) / norms[i]);
                continue;
            }
            k = 0;
            if (NumericVector.IsHardwareAccelerated && d >= Vector<T>.Count)
            {
                Vector<T> vc = new(c), vi = new(inverse);
                for (; k + Vector<T>.Count <= d; k += Vector<T>.Count)
                    ((new Vector<T>(g.Slice(k)) - vc * new Vector<T>(u.Slice(k))) * vi).CopyTo(g.Slice(k));
            }
            for (; k < d; k++) g[k] = (g[k] - c * u[k]) * inverse;
        }
    }

    /// <summary>max_k |v_k|; NaN if any v_k is NaN.</summary>
    private static T LargestMagnitude<T>(ReadOnlySpan<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = 0;
        var largest = T.Zero;
        if (NumericVector.IsHardwareAccelerated && row.Length >= Vector<T>.Count)
        {
            var acc = Vector<T>.Zero;
            var nan = false;
            for (; k + Vector<T>.Count <= row.Length; k += Vector<T>.Count)
            {
                var v = new Vector<T>(row.Slice(k));
                nan |= !NumericVector.EqualsAll(v, v);
                acc = NumericVector.Max(acc, NumericVector.Abs(v));
            }
            if (nan) return T.NaN;
            for (var lane = 0; lane < Vector<T>.Count; lane++) largest = T.Max(largest, acc[lane]);
        }
        for (; k < row.Length; k++)
        {
            if (T.IsNaN(row[k])) return T.NaN;
            largest = T.Max(largest, T.Abs(row[k]));
        }
        return largest;
    }
}
