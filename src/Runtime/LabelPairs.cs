using System;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>A same-label graph not yet built: the pairs (i, j) with <c>rows_i == columns_j</c>, without the pairs (i, i)
/// when <see cref="ExcludeSelf"/>, as generated code hands it to <see cref="Ops.OverPairs(LabelPairs, Func{PairSupport, Tensor})"/>
/// when nothing else reads the graph. Its pairs are listed from the labels (O(N + M + pairs)); the Bool N × M mask is
/// built only if the graph turns out dense (more than <see cref="PairSupport.SparseFraction"/> of the pairs). The unfused
/// NT-Xent at 16,384 rows otherwise built two 256 MiB masks (the graph and its copy without self pairs) only to list
/// 16,384 pairs from them.</summary>
public sealed class LabelPairs
{
    /// <param name="rows">Row labels [N] (int64 or int32).</param>
    /// <param name="columns">Column labels [M].</param>
    /// <param name="excludeSelf">Whether the pairs (i, i) are dropped.</param>
    /// <exception cref="ArgumentException">The labels are not int64 or int32 vectors.</exception>
    public LabelPairs(Tensor rows, Tensor columns, bool excludeSelf)
    {
        if (rows.dim() != 1 || columns.dim() != 1)
            throw new ArgumentException($"Label pairs need label vectors, got [{string.Join(", ", rows.shape)}] and [{string.Join(", ", columns.shape)}].");
        if (!LabelGraphs.IsLabelType(rows.dtype) || !LabelGraphs.IsLabelType(columns.dtype))
            throw new ArgumentException($"Label pairs need int64 or int32 labels, got {rows.dtype} and {columns.dtype}.");
        Rows = rows;
        Columns = columns;
        ExcludeSelf = excludeSelf;
    }

    /// <summary>Row labels [N].</summary>
    public Tensor Rows { get; }

    /// <summary>Column labels [M].</summary>
    public Tensor Columns { get; }

    /// <summary>Whether the pairs (i, i) are dropped.</summary>
    public bool ExcludeSelf { get; }

    /// <summary>[N, M].</summary>
    public long[] Shape => new[] { Rows.shape[0], Columns.shape[0] };

    /// <summary>The graph as a Bool [N, M] mask (<see cref="Ops.SameLabel(Tensor, Tensor)"/>, then <see cref="Ops.ExcludeSelf"/>).</summary>
    public Tensor Mask()
    {
        var same = Ops.SameLabel(Rows, Columns);
        if (!ExcludeSelf) return same;
        using (same) return Ops.ExcludeSelf(same);
    }
}
