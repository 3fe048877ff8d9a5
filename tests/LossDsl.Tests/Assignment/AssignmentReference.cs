using System;
using System.Collections.Generic;
using LossDsl.Runtime.Assignment;

namespace LossDsl.Tests.Assignment;

/// <summary>Independent checks of an assignment: brute force over every injective map of the smaller side (small
/// matrices), and a negative-cycle optimality certificate (any size).</summary>
internal static class AssignmentReference
{
    /// <summary>The minimum total cost over every complete matching of the smaller side (+∞ when every one uses a
    /// forbidden entry), and how many matchings reach it (within <paramref name="tie"/>).</summary>
    public static (double Cost, int Optima, int[] ColOfRow) BruteForce(double[,] cost, double tie = 0)
    {
        int n = cost.GetLength(0), m = cost.GetLength(1);
        var transposed = n > m;
        int small = transposed ? m : n, large = transposed ? n : m;
        double At(int s, int l) => transposed ? cost[l, s] : cost[s, l];
        var best = double.PositiveInfinity;
        var optima = 0;
        int[]? bestMap = null;
        var map = new int[small];
        var used = new bool[large];
        void Extend(int s, double sum)
        {
            if (s == small)
            {
                if (sum < best - tie) { best = sum; optima = 1; bestMap = (int[])map.Clone(); }
                else if (Math.Abs(sum - best) <= tie || sum == best) optima++;
                return;
            }
            for (var l = 0; l < large; l++)
            {
                if (used[l]) continue;
                used[l] = true;
                map[s] = l;
                Extend(s + 1, sum + At(s, l));
                used[l] = false;
            }
        }
        Extend(0, 0);
        // As row → column, −1 for an unmatched row.
        var colOfRow = new int[n];
        Array.Fill(colOfRow, -1);
        if (bestMap is not null)
            for (var s = 0; s < small; s++)
                if (transposed) colOfRow[bestMap[s]] = s; else colOfRow[s] = bestMap[s];
        return (best, optima, colOfRow);
    }

    /// <summary>Σ cost over the pairs.</summary>
    public static double Total(double[,] cost, int[] rows, int[] cols)
    {
        var sum = 0.0;
        for (var k = 0; k < rows.Length; k++) sum += cost[rows[k], cols[k]];
        return sum;
    }

    /// <summary>The shape every result must have: min(n, m) pairs, rows strictly ascending, columns distinct and in
    /// range.</summary>
    public static void AssertWellFormed(int n, int m, int[] rows, int[] cols)
    {
        Assert.Equal(Math.Min(n, m), rows.Length);
        Assert.Equal(rows.Length, cols.Length);
        var seen = new HashSet<int>();
        for (var k = 0; k < rows.Length; k++)
        {
            Assert.InRange(rows[k], 0, n - 1);
            Assert.InRange(cols[k], 0, m - 1);
            if (k > 0) Assert.True(rows[k] > rows[k - 1], "rows must be strictly ascending");
            Assert.True(seen.Add(cols[k]), $"column {cols[k]} matched twice");
        }
    }

    /// <summary>Whether the matching is optimal: its residual graph (unmatched row → column at +c, matched column →
    /// row at −c, a free column → sink → matched column at 0, all on the larger side's terms) has no cycle of
    /// negative cost (Bellman–Ford; improvements below <paramref name="tolerance"/> are ignored).</summary>
    public static bool IsOptimal(double[,] cost, int[] rows, int[] cols, double tolerance = 1e-9)
    {
        // Orient so that the smaller side is matched completely (rows here).
        var transposed = cost.GetLength(0) > cost.GetLength(1);
        int n = transposed ? cost.GetLength(1) : cost.GetLength(0), m = transposed ? cost.GetLength(0) : cost.GetLength(1);
        double C(int i, int j) => transposed ? cost[j, i] : cost[i, j];
        var colOfRow = new int[n];
        var rowOfCol = new int[m];
        Array.Fill(rowOfCol, -1);
        for (var k = 0; k < rows.Length; k++)
        {
            int i = transposed ? cols[k] : rows[k], j = transposed ? rows[k] : cols[k];
            colOfRow[i] = j;
            rowOfCol[j] = i;
        }
        // Nodes: rows 0..n−1, columns n..n+m−1, sink n+m.
        var edges = new List<(int From, int To, double W)>();
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++)
            {
                if (double.IsPositiveInfinity(C(i, j))) continue;
                if (colOfRow[i] == j) edges.Add((n + j, i, -C(i, j)));
                else edges.Add((i, n + j, C(i, j)));
            }
        for (var j = 0; j < m; j++)
            edges.Add(rowOfCol[j] < 0 ? (n + j, n + m, 0.0) : (n + m, n + j, 0.0));
        var dist = new double[n + m + 1]; // a virtual source at 0 to every node
        for (var pass = 0; pass <= n + m + 1; pass++)
        {
            var changed = false;
            foreach (var (from, to, w) in edges)
                if (dist[from] + w < dist[to] - tolerance) { dist[to] = dist[from] + w; changed = true; }
            if (!changed) return true;
        }
        return false;
    }

    /// <summary>A row-major copy of a matrix.</summary>
    public static double[] Flatten(double[,] a)
    {
        var flat = new double[a.Length];
        var k = 0;
        foreach (var x in a) flat[k++] = x;
        return flat;
    }

    public static double[,] Random(Random rng, int n, int m, Func<Random, double> entry)
    {
        var a = new double[n, m];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++)
                a[i, j] = entry(rng);
        return a;
    }

    /// <summary>Solves with <see cref="LinearAssignment.Solve(double[,])"/>.</summary>
    public static (int[] Rows, int[] Cols) Solve(double[,] cost) => LinearAssignment.Solve(cost);
}
