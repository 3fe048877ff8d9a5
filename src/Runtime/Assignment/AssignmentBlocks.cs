using System;
using System.Collections.Generic;

namespace LossDsl.Runtime.Assignment;

/// <summary>How a cost (or score) matrix splits into independent matching problems: for each block, the rows and the
/// columns it pairs, as indices of the whole matrix, ascending. Blocks share no row and no column, so together their
/// matchings are one matching of the whole matrix.</summary>
/// <remarks>Three layouts: <see cref="Whole"/> (one problem), <see cref="FromBlocks"/> (rectangles, e.g. DETR's
/// per-image query × target blocks) and <see cref="FromGroups"/> (a group id per row and per column: entry (i, j)
/// belongs to block g when both ids are g; rows and columns need not be contiguous).</remarks>
public sealed class AssignmentBlocks
{
    private readonly int[] _rowIndex, _rowStart, _colIndex, _colStart;
    private readonly Func<int, string?> _describe;

    private AssignmentBlocks(int rows, int cols, int[] rowIndex, int[] rowStart, int[] colIndex, int[] colStart, Func<int, string?> describe)
    {
        Rows = rows;
        Cols = cols;
        _rowIndex = rowIndex;
        _rowStart = rowStart;
        _colIndex = colIndex;
        _colStart = colStart;
        _describe = describe;
    }

    /// <summary>Rows of the whole matrix.</summary>
    public int Rows { get; }

    /// <summary>Columns of the whole matrix.</summary>
    public int Cols { get; }

    /// <summary>Number of blocks.</summary>
    public int Count => _rowStart.Length - 1;

    /// <summary>The rows of block <paramref name="block"/>, ascending.</summary>
    public ReadOnlySpan<int> RowsOf(int block) => _rowIndex.AsSpan(_rowStart[block], _rowStart[block + 1] - _rowStart[block]);

    /// <summary>The columns of block <paramref name="block"/>, ascending.</summary>
    public ReadOnlySpan<int> ColsOf(int block) => _colIndex.AsSpan(_colStart[block], _colStart[block + 1] - _colStart[block]);

    /// <summary>Names block <paramref name="block"/> in error messages (null for <see cref="Whole"/>: errors
    /// need no block there).</summary>
    internal string? Describe(int block) => _describe(block);

    /// <summary>The whole <paramref name="rows"/> × <paramref name="cols"/> matrix as one block.</summary>
    public static AssignmentBlocks Whole(int rows, int cols)
    {
        CheckSize(rows, cols);
        return new AssignmentBlocks(rows, cols, Range(0, rows), new[] { 0, rows }, Range(0, cols), new[] { 0, cols }, _ => null);
    }

    /// <summary>Rectangular blocks of a <paramref name="rows"/> × <paramref name="cols"/> matrix, in the given order.</summary>
    /// <exception cref="ArgumentException">A block has a negative size, lies outside the matrix, or overlaps another
    /// block's rows or columns.</exception>
    public static AssignmentBlocks FromBlocks(int rows, int cols, IReadOnlyList<CostBlock> blocks)
    {
        CheckSize(rows, cols);
        var rowOwner = new int[rows];
        var colOwner = new int[cols];
        Array.Fill(rowOwner, -1);
        Array.Fill(colOwner, -1);
        var rowIndex = new List<int>();
        var colIndex = new List<int>();
        var rowStart = new int[blocks.Count + 1];
        var colStart = new int[blocks.Count + 1];
        for (var b = 0; b < blocks.Count; b++)
        {
            var block = blocks[b];
            if (block.RowCount < 0 || block.ColCount < 0 || block.RowStart < 0 || block.ColStart < 0 ||
                (long)block.RowStart + block.RowCount > rows || (long)block.ColStart + block.ColCount > cols)
                throw new ArgumentException($"Block {b} ({block}) does not fit a {rows} × {cols} matrix.", nameof(blocks));
            Claim(rowOwner, block.RowStart, block.RowCount, b, "row", rowIndex);
            Claim(colOwner, block.ColStart, block.ColCount, b, "column", colIndex);
            rowStart[b + 1] = rowIndex.Count;
            colStart[b + 1] = colIndex.Count;
        }
        var copy = new CostBlock[blocks.Count];
        for (var b = 0; b < copy.Length; b++) copy[b] = blocks[b];
        return new AssignmentBlocks(rows, cols, rowIndex.ToArray(), rowStart, colIndex.ToArray(), colStart, b => $"block {b} ({copy[b]})");
    }

    /// <summary>Blocks given by a group id per row and per column (DETR: the image of each query and of each target).
    /// Block g pairs the rows whose id is g with the columns whose id is g; blocks are ordered by id, ascending, and
    /// a group present on one side only is a block with no pairs. A negative id leaves its row or column out of every
    /// block (never matched).</summary>
    public static AssignmentBlocks FromGroups(ReadOnlySpan<long> rowGroups, ReadOnlySpan<long> colGroups)
    {
        var rowOrder = SortByGroup(rowGroups);
        var colOrder = SortByGroup(colGroups);
        var ids = new List<long>();
        var rowStart = new List<int> { 0 };
        var colStart = new List<int> { 0 };
        int r = 0, c = 0;
        while (r < rowOrder.Length || c < colOrder.Length)
        {
            // The next id is the smaller of the two sides' next ones.
            var id = Math.Min(r < rowOrder.Length ? rowGroups[rowOrder[r]] : long.MaxValue,
                              c < colOrder.Length ? colGroups[colOrder[c]] : long.MaxValue);
            while (r < rowOrder.Length && rowGroups[rowOrder[r]] == id) r++;
            while (c < colOrder.Length && colGroups[colOrder[c]] == id) c++;
            ids.Add(id);
            rowStart.Add(r);
            colStart.Add(c);
        }
        var names = ids.ToArray();
        return new AssignmentBlocks(rowGroups.Length, colGroups.Length, rowOrder, rowStart.ToArray(), colOrder, colStart.ToArray(),
                                    b => $"group {names[b]}");
    }

    /// <summary>The indices with a non-negative id, ordered by (id, index).</summary>
    private static int[] SortByGroup(ReadOnlySpan<long> groups)
    {
        var kept = 0;
        var sorted = true;
        var last = long.MinValue;
        foreach (var g in groups)
        {
            if (g < 0) continue;
            kept++;
            sorted &= g >= last;
            last = g;
        }
        var order = new int[kept];
        var k = 0;
        for (var i = 0; i < groups.Length; i++)
            if (groups[i] >= 0) order[k++] = i;
        if (sorted) return order; // the usual layout (images in order): nothing to sort
        // Sorting (id, index) pairs keeps equal ids in ascending index order (Array.Sort alone is unstable).
        var pairs = new (long Id, int Index)[kept];
        for (var i = 0; i < kept; i++) pairs[i] = (groups[order[i]], order[i]);
        Array.Sort(pairs);
        for (var i = 0; i < kept; i++) order[i] = pairs[i].Index;
        return order;
    }

    private static void Claim(int[] owner, int start, int count, int block, string what, List<int> into)
    {
        for (var i = start; i < start + count; i++)
        {
            if (owner[i] >= 0)
                throw new ArgumentException($"Blocks {owner[i]} and {block} share {what} {i}: blocks must be disjoint.", "blocks");
            owner[i] = block;
            into.Add(i);
        }
    }

    private static void CheckSize(int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"A matrix cannot be {rows} × {cols}.");
    }

    private static int[] Range(int start, int count)
    {
        var a = new int[count];
        for (var i = 0; i < count; i++) a[i] = start + i;
        return a;
    }
}
