namespace LossDsl.Runtime.Assignment;

/// <summary>One independent assignment problem inside a larger cost matrix: the rows
/// [<see cref="RowStart"/>, <see cref="RowStart"/> + <see cref="RowCount"/>) against the columns
/// [<see cref="ColStart"/>, <see cref="ColStart"/> + <see cref="ColCount"/>).</summary>
/// <remarks>DETR's matcher computes one cost matrix [batch · queries, all targets] and solves, for image b, the
/// block of its queries against its own targets (<c>ColCount</c> may be 0: an image without objects).</remarks>
/// <param name="RowStart">First row of the block (≥ 0).</param>
/// <param name="RowCount">Number of rows (≥ 0).</param>
/// <param name="ColStart">First column of the block (≥ 0).</param>
/// <param name="ColCount">Number of columns (≥ 0).</param>
public readonly record struct CostBlock(int RowStart, int RowCount, int ColStart, int ColCount)
{
    /// <summary>Pairs this block's assignment yields: min(<see cref="RowCount"/>, <see cref="ColCount"/>).</summary>
    public int PairCount => RowCount < ColCount ? RowCount : ColCount;

    /// <summary>The blocks of a batch laid out as DETR lays them out: block b pairs rows
    /// [b · <paramref name="rowsPerBlock"/>, (b + 1) · <paramref name="rowsPerBlock"/>) with the next
    /// <paramref name="colCounts"/>[b] columns (targets concatenated in batch order).</summary>
    public static CostBlock[] Batched(int rowsPerBlock, params int[] colCounts)
    {
        var blocks = new CostBlock[colCounts.Length];
        var col = 0;
        for (var b = 0; b < colCounts.Length; b++)
        {
            blocks[b] = new CostBlock(b * rowsPerBlock, rowsPerBlock, col, colCounts[b]);
            col += colCounts[b];
        }
        return blocks;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"rows {RowStart}..{RowStart + RowCount - 1}, columns {ColStart}..{ColStart + ColCount - 1}";
}
