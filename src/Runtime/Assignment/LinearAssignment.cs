using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LossDsl.Runtime.Assignment;

/// <summary>Exact minimum-cost assignment (<c>scipy.optimize.linear_sum_assignment</c>), single or batched, with a
/// solver per thread whose scratch is reused across calls. See <see cref="LinearAssignmentSolver"/> for the
/// algorithm and the tie rule.</summary>
/// <remarks>Costs are <c>double</c>: finite, or +∞ for a forbidden pair. NaN and −∞ are rejected, and so is a
/// matrix (or block) whose smaller side cannot be matched completely without a forbidden pair. The smaller side of
/// each matrix or block is matched completely; an empty side gives no pairs.</remarks>
public static class LinearAssignment
{
    [ThreadStatic] private static LinearAssignmentSolver? _solver;

    /// <summary>This thread's solver.</summary>
    internal static LinearAssignmentSolver Solver => _solver ??= new LinearAssignmentSolver();

    /// <summary>Solves one cost matrix.</summary>
    /// <param name="cost">Costs, rows × columns.</param>
    /// <returns>min(rows, columns) pairs: <c>Rows</c> ascending, <c>Cols[k]</c> the column matched to
    /// <c>Rows[k]</c>, as scipy returns them.</returns>
    /// <exception cref="ArgumentException">A cost is NaN or −∞, or no assignment of finite cost exists.</exception>
    public static (int[] Rows, int[] Cols) Solve(double[,] cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        int rows = cost.GetLength(0), cols = cost.GetLength(1);
        // A 2-D array is stored row-major: read it in place.
        var values = cost.Length == 0
            ? ReadOnlySpan<double>.Empty
            : MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(cost)), cost.Length);
        return Solve(values, rows, cols);
    }

    /// <summary>Solves one cost matrix given row-major (entry (i, j) at <c>cost[i · cols + j]</c>).</summary>
    /// <returns>As <see cref="Solve(double[,])"/>.</returns>
    /// <exception cref="ArgumentException">A cost is NaN or −∞, the sizes do not fit, or no assignment of finite
    /// cost exists.</exception>
    public static (int[] Rows, int[] Cols) Solve(ReadOnlySpan<double> cost, int rows, int cols)
    {
        var count = Math.Max(0, Math.Min(rows, cols));
        var pairRows = new int[count];
        var pairCols = new int[count];
        Solver.Solve(cost, rows, cols, pairRows, pairCols);
        return (pairRows, pairCols);
    }

    /// <summary>Solves each block of a row-major cost matrix independently (DETR: one block per image).</summary>
    /// <param name="cost">The whole matrix, row-major, <paramref name="blocks"/>.Rows × <paramref name="blocks"/>.Cols.
    /// Entries outside every block are not read.</param>
    /// <param name="blocks">The independent problems; <see cref="AssignmentBlocks.Whole"/> for one.</param>
    /// <returns>The pairs as indices of the whole matrix, block by block, rows ascending within a block.</returns>
    /// <exception cref="ArgumentException">A cost inside a block is NaN or −∞, or a block has no assignment of
    /// finite cost; the message names the block.</exception>
    public static AssignmentPairs Solve(ReadOnlySpan<double> cost, AssignmentBlocks blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (cost.Length != (long)blocks.Rows * blocks.Cols)
            throw new ArgumentException($"A {blocks.Rows} × {blocks.Cols} cost matrix needs {(long)blocks.Rows * blocks.Cols} entries, got {cost.Length}.", nameof(cost));
        var starts = new int[blocks.Count + 1];
        for (var b = 0; b < blocks.Count; b++)
            starts[b + 1] = starts[b] + Math.Min(blocks.RowsOf(b).Length, blocks.ColsOf(b).Length);
        var pairRows = new int[starts[^1]];
        var pairCols = new int[starts[^1]];
        var solver = Solver;
        for (var b = 0; b < blocks.Count; b++)
        {
            try
            {
                solver.Solve(cost, blocks.Cols, AxisIndices.Of(blocks.RowsOf(b)), AxisIndices.Of(blocks.ColsOf(b)),
                             pairRows.AsSpan(starts[b]), pairCols.AsSpan(starts[b]));
            }
            catch (ArgumentException e) when (blocks.Describe(b) is { } block)
            {
                throw new ArgumentException($"In {block}: {e.Message}", e);
            }
        }
        return new AssignmentPairs(pairRows, pairCols, starts);
    }
}
