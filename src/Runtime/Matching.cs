using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>A one-to-one assignment of the rows of a cost relation to its columns: the matched pairs
/// (<see cref="Rows"/>[k], <see cref="Columns"/>[k]), int64 on the cost's device. Not differentiated: losses read
/// values at the pairs, so gradients reach the matched pairs only.</summary>
public sealed class Matching
{
    public Matching(Tensor rows, Tensor columns, long rowCount, long columnCount)
    {
        Rows = rows;
        Columns = columns;
        RowCount = rowCount;
        ColumnCount = columnCount;
    }

    /// <summary>The row of every matched pair, [M].</summary>
    public Tensor Rows { get; }

    /// <summary>The column of every matched pair, [M].</summary>
    public Tensor Columns { get; }

    /// <summary>The number of rows of the cost relation.</summary>
    public long RowCount { get; }

    /// <summary>The number of columns of the cost relation.</summary>
    public long ColumnCount { get; }
}
