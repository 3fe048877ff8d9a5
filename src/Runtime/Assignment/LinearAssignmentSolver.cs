using System;
using System.Runtime.CompilerServices;

namespace LossDsl.Runtime.Assignment;

/// <summary>Exact minimum-cost assignment of a rectangular cost matrix (the linear sum assignment problem), by
/// shortest augmenting paths with dual potentials: the Jonker–Volgenant form of the Hungarian method, as in
/// e-maxx's "Hungarian algorithm in O(n²m)" (R. Jonker and A. Volgenant, "A shortest augmenting path algorithm for
/// dense and sparse linear assignment problems", Computing 38, 1987; D. F. Crouse, "On implementing 2D rectangular
/// assignment algorithms", IEEE TAES 52(4), 2016).</summary>
/// <remarks>
/// <para>The smaller side is matched completely (a problem with more rows than columns is solved transposed).
/// Dual start: each row's potential is its minimum cost and every column's is 0 (row reduction; a rectangular
/// problem needs 0 on the columns left unmatched), and each row, in ascending order, takes the lowest free column at
/// its minimum. Every row still unmatched is then added, in ascending order, along a shortest augmenting path
/// (Dijkstra over the reduced costs c(i, j) − u_i − v_j, which stay ≥ 0), choosing among equally distant columns
/// first a free one, then the lowest index. O(n²m) at worst.</para>
/// <para><b>Ties.</b> The result is a deterministic function of the matrix, given by the rule above. Where the
/// optimum is unique it is scipy's <c>linear_sum_assignment</c> result; a constant matrix gives the diagonal
/// (row i ↔ column i), as scipy does; other ties may pick another optimal assignment than scipy. Like scipy's, the
/// search compares sums of doubles: assignments whose totals differ only by rounding (about 1e-15 of the costs'
/// magnitude) count as ties.</para>
/// <para>One instance keeps its scratch arrays and reuses them across calls (they grow to the largest matrix seen),
/// so repeated solves allocate nothing. An instance is not thread-safe; <see cref="LinearAssignment"/> keeps one per
/// thread.</para>
/// </remarks>
public sealed class LinearAssignmentSolver
{
    // The loops below are marked AggressiveOptimization: a matcher is called a few times per training step, too
    // rarely (and among too much other JIT work) for tiered compilation to promote them soon, and their tier-0 code
    // runs 2–3 times slower.
    private double[] _gathered = Array.Empty<double>(); // the problem as solved, when it is not a plain view of the input
    private double[] _u = Array.Empty<double>();        // row potentials
    private double[] _v = Array.Empty<double>();        // column potentials
    private double[] _dist = Array.Empty<double>();     // shortest-path distance to each column in the current search
    private int[] _pathRow = Array.Empty<int>();        // the row a column was reached from
    private int[] _rowOfCol = Array.Empty<int>();       // −1 when the column is free
    private int[] _colOfRow = Array.Empty<int>();       // −1 when the row is free
    private int[] _visitedCols = Array.Empty<int>();    // columns finalised in the current search, in order
    private int[] _remaining = Array.Empty<int>();      // columns not finalised yet in the current search
    private int[] _pairOfRow = Array.Empty<int>();

    /// <summary>Solves one dense cost matrix.</summary>
    /// <param name="cost">The costs, row-major: entry (i, j) at <c>cost[i · cols + j]</c>. +∞ marks a forbidden
    /// pair; NaN and −∞ are rejected.</param>
    /// <param name="rows">Number of rows (≥ 0).</param>
    /// <param name="cols">Number of columns (≥ 0).</param>
    /// <param name="pairRows">Receives the matched rows, ascending; at least min(rows, cols) long.</param>
    /// <param name="pairCols">Receives the column matched to each row of <paramref name="pairRows"/>.</param>
    /// <returns>The number of pairs, min(rows, cols): the smaller side is matched completely.</returns>
    /// <exception cref="ArgumentException">A cost is NaN or −∞, the sizes do not fit, or no assignment of finite
    /// cost exists.</exception>
    public int Solve(ReadOnlySpan<double> cost, int rows, int cols, Span<int> pairRows, Span<int> pairCols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"A cost matrix cannot be {rows} × {cols}.");
        if (cost.Length != (long)rows * cols)
            throw new ArgumentException($"A {rows} × {cols} cost matrix needs {(long)rows * cols} entries, got {cost.Length}.", nameof(cost));
        return Solve(cost, cols, AxisIndices.Range(0, rows), AxisIndices.Range(0, cols), pairRows, pairCols);
    }

    /// <summary>Solves the sub-matrix of <paramref name="matrix"/> (row-major, <paramref name="stride"/> entries per
    /// row) made of the given rows and columns. Pairs are reported as indices of <paramref name="matrix"/>, in the
    /// order of <paramref name="rows"/>.</summary>
    internal int Solve(ReadOnlySpan<double> matrix, int stride, AxisIndices rows, AxisIndices cols,
                       Span<int> pairRows, Span<int> pairCols)
    {
        int r = rows.Count, c = cols.Count;
        var count = Math.Min(r, c);
        if (pairRows.Length < count || pairCols.Length < count)
            throw new ArgumentException($"The output spans must hold {count} pairs.");
        if (count == 0) return 0;
        Validate(matrix, stride, rows, cols);

        // The search needs n ≤ m: transpose when there are more rows than columns. A block of contiguous rows and
        // columns is read in place; anything else is gathered first.
        var transposed = r > c;
        int n = transposed ? c : r, m = transposed ? r : c;
        EnsureCapacity(n, m);
        ReadOnlySpan<double> cost;
        int costStride;
        if (!transposed && rows.IsRange && cols.IsRange)
        {
            cost = matrix.Slice(rows[0] * stride + cols[0]);
            costStride = stride;
        }
        else
        {
            Gather(matrix, stride, rows, cols, transposed, m);
            cost = _gathered;
            costStride = m;
        }

        var unmatched = Assign(cost, costStride, n, m);
        if (unmatched >= 0)
            throw new ArgumentException(
                $"No assignment of finite cost exists: {(transposed ? "column" : "row")} " +
                $"{(transposed ? cols[unmatched] : rows[unmatched])} cannot be matched, together with the " +
                $"{(transposed ? "columns" : "rows")} before it, without a forbidden (+∞) pair.");

        if (!transposed)
        {
            for (var a = 0; a < n; a++) { pairRows[a] = rows[a]; pairCols[a] = cols[_colOfRow[a]]; }
            return n;
        }
        // Solver rows are the caller's columns here: report pairs in the order of the caller's rows.
        var pairOfRow = _pairOfRow.AsSpan(0, m);
        pairOfRow.Fill(-1);
        for (var b = 0; b < n; b++) pairOfRow[_colOfRow[b]] = b;
        var k = 0;
        for (var a = 0; a < m; a++)
            if (pairOfRow[a] >= 0) { pairRows[k] = rows[a]; pairCols[k] = cols[pairOfRow[a]]; k++; }
        return k;
    }

    /// <summary>Throws on the first NaN or −∞ of the sub-matrix, named by its indices in <paramref name="matrix"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Validate(ReadOnlySpan<double> matrix, int stride, AxisIndices rows, AxisIndices cols)
    {
        for (var a = 0; a < rows.Count; a++)
        {
            var row = matrix.Slice(rows[a] * stride);
            for (var b = 0; b < cols.Count; b++)
            {
                var x = row[cols[b]];
                // False for NaN and −∞ only: one comparison per entry.
                if (!(x > double.NegativeInfinity))
                    throw new ArgumentException(
                        $"Assignment cost [{rows[a]}, {cols[b]}] is {(double.IsNaN(x) ? "NaN" : "−∞")}: " +
                        "costs must be finite, or +∞ for a forbidden pair.");
            }
        }
    }

    /// <summary>Copies the sub-matrix into <see cref="_gathered"/> as n × m row-major (transposed if asked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Gather(ReadOnlySpan<double> matrix, int stride, AxisIndices rows, AxisIndices cols, bool transposed, int m)
    {
        if (_gathered.Length < (long)rows.Count * cols.Count) _gathered = new double[(long)rows.Count * cols.Count];
        var into = _gathered;
        for (var a = 0; a < rows.Count; a++)
        {
            var row = matrix.Slice(rows[a] * stride);
            if (transposed)
                for (var b = 0; b < cols.Count; b++) into[b * m + a] = row[cols[b]];
            else
                for (var b = 0; b < cols.Count; b++) into[a * m + b] = row[cols[b]];
        }
    }

    /// <summary>Matches every row of the n × m problem (n ≤ m, row i at <c>cost[i · stride ..]</c>) into
    /// <see cref="_colOfRow"/>; returns −1, or the first row that cannot be added without a forbidden pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Assign(ReadOnlySpan<double> cost, int stride, int n, int m)
    {
        _v.AsSpan(0, m).Clear();
        _rowOfCol.AsSpan(0, m).Fill(-1);
        var unmatched = ReduceRows(cost, stride, n, m);
        if (unmatched >= 0) return unmatched;

        var u = _u;
        var v = _v;
        var dist = _dist;
        var rowOfCol = _rowOfCol;
        var colOfRow = _colOfRow;
        for (var row = 0; row < n; row++)
        {
            if (colOfRow[row] >= 0) continue;
            var sink = ShortestAugmentingPath(cost, stride, row, m, out var length, out var visited);
            if (sink < 0) return row;

            // Dual update: every reduced cost stays ≥ 0 and those of matched pairs (and of the path) become 0.
            u[row] += length;
            for (var t = 0; t < visited - 1; t++) // the sink, last, has slack 0
            {
                var j = _visitedCols[t];
                var slack = length - dist[j];
                v[j] -= slack;
                u[rowOfCol[j]] += slack;
            }
            // Flip the path: each column on it moves to the row it was reached from.
            for (var j = sink; ;)
            {
                var i = _pathRow[j];
                rowOfCol[j] = i;
                var previous = i == row ? -1 : colOfRow[i];
                colOfRow[i] = j;
                if (previous < 0) break;
                j = previous;
            }
        }
        return -1;
    }

    /// <summary>Row reduction: u_i = min_j c(i, j) with v = 0 (a feasible dual), and each row in order takes the
    /// lowest free column at its minimum, if any. Returns −1, or the first row whose costs are all +∞.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ReduceRows(ReadOnlySpan<double> cost, int stride, int n, int m)
    {
        var rowOfCol = _rowOfCol;
        for (var i = 0; i < n; i++)
        {
            var costRow = cost.Slice(i * stride, m);
            var min = double.PositiveInfinity;
            var freeAtMin = -1;
            for (var j = 0; j < costRow.Length; j++)
            {
                var c = costRow[j];
                if (c < min) { min = c; freeAtMin = rowOfCol[j] < 0 ? j : -1; }
                else if (c == min && freeAtMin < 0 && rowOfCol[j] < 0) freeAtMin = j;
            }
            if (double.IsPositiveInfinity(min)) return i;
            _u[i] = min;
            _colOfRow[i] = freeAtMin;
            if (freeAtMin >= 0) rowOfCol[freeAtMin] = i;
        }
        return -1;
    }

    /// <summary>Dijkstra from the free <paramref name="row"/> over reduced costs (≥ 0 from every matched row)
    /// until a free column is reached. Returns that column (−1 when every remaining column is at +∞), its distance,
    /// and the number of finalised columns in <see cref="_visitedCols"/> (the sink last).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ShortestAugmentingPath(ReadOnlySpan<double> cost, int stride, int row, int m, out double length, out int visited)
    {
        var dist = _dist.AsSpan(0, m);
        var v = _v.AsSpan(0, m);
        var pathRow = _pathRow.AsSpan(0, m);
        var remaining = _remaining.AsSpan(0, m);
        var rowOfCol = _rowOfCol;
        dist.Fill(double.PositiveInfinity);
        // Columns not finalised yet, unordered: each step scans only these.
        var left = m;
        for (var j = 0; j < m; j++) remaining[j] = j;
        visited = 0;
        var i = row;
        var reached = 0.0; // distance of row i from the source
        while (true)
        {
            var costRow = cost.Slice(i * stride, m);
            var shift = reached - _u[i];
            var best = double.PositiveInfinity;
            var bestAt = -1;
            for (var t = 0; t < left; t++)
            {
                var j = remaining[t];
                var d = costRow[j] - v[j] + shift;
                var dj = dist[j];
                if (d < dj) { dist[j] = d; pathRow[j] = i; dj = d; }
                if (dj < best || (dj == best && bestAt >= 0 && PreferOnTie(j, remaining[bestAt], rowOfCol)))
                {
                    best = dj;
                    bestAt = t;
                }
            }
            if (bestAt < 0 || double.IsPositiveInfinity(best)) { length = double.PositiveInfinity; return -1; }
            var col = remaining[bestAt];
            remaining[bestAt] = remaining[--left];
            _visitedCols[visited++] = col;
            if (rowOfCol[col] < 0) { length = best; return col; }
            i = rowOfCol[col];
            reached = best;
        }
    }

    /// <summary>Among equally distant columns: a free one (it ends the search), then the lower index.</summary>
    private static bool PreferOnTie(int j, int current, int[] rowOfCol)
    {
        bool jFree = rowOfCol[j] < 0, currentFree = rowOfCol[current] < 0;
        return jFree != currentFree ? jFree : j < current;
    }

    private void EnsureCapacity(int n, int m)
    {
        if (_u.Length < n) { _u = new double[n]; _colOfRow = new int[n]; }
        if (_v.Length < m)
        {
            _v = new double[m];
            _dist = new double[m];
            _pathRow = new int[m];
            _rowOfCol = new int[m];
            _visitedCols = new int[m];
            _remaining = new int[m];
            _pairOfRow = new int[m];
        }
    }
}
