using System;

namespace LossDsl.Runtime.Assignment;

/// <summary>Matched (row, column) pairs of a batched assignment, as indices of the whole cost matrix, grouped by
/// block: the pairs of block b are at [<see cref="BlockStarts"/>[b], <see cref="BlockStarts"/>[b + 1]).</summary>
public sealed class AssignmentPairs
{
    internal AssignmentPairs(int[] rows, int[] cols, int[] blockStarts)
    {
        Rows = rows;
        Cols = cols;
        BlockStarts = blockStarts;
    }

    /// <summary>The matched rows; within a block, ascending.</summary>
    public int[] Rows { get; }

    /// <summary>The column matched to each entry of <see cref="Rows"/> (or, for one-to-many matching, the target).</summary>
    public int[] Cols { get; }

    /// <summary>Where each block's pairs start, plus the total count at the end (length: blocks + 1).</summary>
    public int[] BlockStarts { get; }

    /// <summary>Number of pairs.</summary>
    public int Count => Rows.Length;

    /// <summary>The rows of block <paramref name="block"/>.</summary>
    public ReadOnlySpan<int> BlockRows(int block) => Rows.AsSpan(BlockStarts[block], BlockStarts[block + 1] - BlockStarts[block]);

    /// <summary>The columns of block <paramref name="block"/>.</summary>
    public ReadOnlySpan<int> BlockCols(int block) => Cols.AsSpan(BlockStarts[block], BlockStarts[block + 1] - BlockStarts[block]);
}
