using System;

namespace LossDsl.Runtime.Kernels;

/// <summary>The operands of one generic pair reduction <c>reduce_j f(s_ij, s2_ij, w_ij, v_i, u_j)</c>: row-major
/// matrices read in place (never copied to another precision), labels, per-row and per-column values and
/// pair weights. Spans, so callers pass tensor memory or arrays alike.</summary>
/// <typeparam name="T"><c>float</c> or <c>double</c>.</typeparam>
public ref struct PairOperands<T> where T : unmanaged
{
    /// <summary>x [N, D], row-major.</summary>
    public ReadOnlySpan<T> X;
    /// <summary>y [M, D], row-major; ignored when <see cref="Self"/>.</summary>
    public ReadOnlySpan<T> Y;
    /// <summary>Rows of x.</summary>
    public int N;
    /// <summary>Rows of y (M = N when <see cref="Self"/>).</summary>
    public int M;
    /// <summary>Features per row.</summary>
    public int D;
    /// <summary>y is x (one tensor): gradients of both sides add into dX, distances have an exact-zero diagonal.</summary>
    public bool Self;
    /// <summary>The metric of s_ij.</summary>
    public PairMetric Metric;

    /// <summary>The second relation's rows x2 [N, D2] (formulas that read s2 only); no gradient.</summary>
    public ReadOnlySpan<T> X2;
    /// <summary>The second relation's columns y2 [M, D2]; ignored when <see cref="Self"/>.</summary>
    public ReadOnlySpan<T> Y2;
    /// <summary>Features per row of the second relation.</summary>
    public int D2;
    /// <summary>The metric of s2_ij.</summary>
    public PairMetric Metric2;

    /// <summary>Row labels [N] (masks that read labels only).</summary>
    public ReadOnlySpan<long> RowLabels;
    /// <summary>Column labels [M]; empty means the row labels (one label vector).</summary>
    public ReadOnlySpan<long> ColumnLabels;

    /// <summary>Row values v [N] read by the formula as R0, R1 (empty: zero).</summary>
    public ReadOnlySpan<T> R0, R1;
    /// <summary>Column values u [M] read as C0, C1 (empty: zero).</summary>
    public ReadOnlySpan<T> C0, C1;

    /// <summary>Pair weights [N, M], row-major (masks that read weights only).</summary>
    public ReadOnlySpan<T> Weights;

    /// <summary>x against itself.</summary>
    public static PairOperands<T> SelfRelation(ReadOnlySpan<T> x, int n, int d, PairMetric metric) =>
        new() { X = x, Y = x, N = n, M = n, D = d, Self = true, Metric = metric };

    /// <summary>x [n, d] against y [m, d].</summary>
    public static PairOperands<T> Cross(ReadOnlySpan<T> x, int n, ReadOnlySpan<T> y, int m, int d, PairMetric metric) =>
        new() { X = x, Y = y, N = n, M = m, D = d, Self = false, Metric = metric };

    internal void Validate(bool readsLabels, bool readsWeights, bool readsSecond, int rowValues, int columnValues)
    {
        if (N < 0 || M < 0 || D < 0) throw new ArgumentException($"Negative shape N = {N}, M = {M}, D = {D}.");
        if (Self && M != N) throw new ArgumentException($"A self relation has M = N, got N = {N}, M = {M}.");
        if (X.Length < (long)N * D) throw new ArgumentException($"x holds {X.Length} values, [N, D] = [{N}, {D}] needs {(long)N * D}.");
        if (!Self && Y.Length < (long)M * D) throw new ArgumentException($"y holds {Y.Length} values, [M, D] = [{M}, {D}] needs {(long)M * D}.");
        if (readsSecond)
        {
            if (X2.Length < (long)N * D2) throw new ArgumentException($"x2 holds {X2.Length} values, [N, D2] = [{N}, {D2}] needs {(long)N * D2}.");
            if (!Self && Y2.Length < (long)M * D2) throw new ArgumentException($"y2 holds {Y2.Length} values, [M, D2] = [{M}, {D2}] needs {(long)M * D2}.");
        }
        if (readsLabels)
        {
            if (RowLabels.Length != N) throw new ArgumentException($"The mask compares labels: row labels must be [{N}], got [{RowLabels.Length}].");
            if (!ColumnLabels.IsEmpty && ColumnLabels.Length != M) throw new ArgumentException($"Column labels must be [{M}], got [{ColumnLabels.Length}].");
            if (ColumnLabels.IsEmpty && M != N) throw new ArgumentException($"One label vector needs M = N (got N = {N}, M = {M}); pass column labels.");
        }
        if (readsWeights && Weights.Length < (long)N * M) throw new ArgumentException($"The mask reads pair weights: [N, M] = [{N}, {M}] needs {(long)N * M} values, got {Weights.Length}.");
        if (rowValues > 0 && R0.Length != N) throw new ArgumentException($"The formula reads row value 0: [{N}] needed, got [{R0.Length}].");
        if (rowValues > 1 && R1.Length != N) throw new ArgumentException($"The formula reads row value 1: [{N}] needed, got [{R1.Length}].");
        if (columnValues > 0 && C0.Length != M) throw new ArgumentException($"The formula reads column value 0: [{M}] needed, got [{C0.Length}].");
        if (columnValues > 1 && C1.Length != M) throw new ArgumentException($"The formula reads column value 1: [{M}] needed, got [{C1.Length}].");
    }
}

/// <summary>Where a backward pass adds its gradients; an empty span is not computed.</summary>
/// <typeparam name="T"><c>float</c> or <c>double</c>.</typeparam>
public ref struct PairGradients<T> where T : unmanaged
{
    /// <summary>∂L/∂x [N, D], added to (a self relation adds both sides here).</summary>
    public Span<T> DX;
    /// <summary>∂L/∂y [M, D], added to (unused for a self relation).</summary>
    public Span<T> DY;
    /// <summary>∂L/∂v [N] for row values 0 and 1, added to.</summary>
    public Span<T> DR0, DR1;
    /// <summary>∂L/∂u [M] for column values 0 and 1, added to.</summary>
    public Span<T> DC0, DC1;
    /// <summary>Optional [N], sum reductions only: the row sums Σ_j f_ij, computed on the way, so a loss whose
    /// gradient needs no forward output (a plain sum or mean) runs value and gradient in one pass.</summary>
    public Span<double> RowSums;
}

/// <summary>Per-row results of a forward pass, written by the engine.</summary>
public ref struct PairRows
{
    /// <summary>[N]: the row sum, log-sum-exp, max or min (identity for an empty row).</summary>
    public Span<double> Value;
    /// <summary>[N], sums only (may be empty): kept pairs per row, exact.</summary>
    public Span<long> Count;
    /// <summary>[N], sums only (may be empty): kept pairs with f &gt; 0 per row (AvgNonZero), exact.</summary>
    public Span<long> NonZero;
    /// <summary>[N], max/min only: the arg column, −1 for an empty row.</summary>
    public Span<int> Arg;
}
