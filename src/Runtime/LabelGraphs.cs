using System;
using System.Runtime.CompilerServices;
using LossDsl.Runtime.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>Bool masks built from labels (<see cref="Ops.SameLabel(Tensor, Tensor)"/>, and <see cref="Ops.ExcludeSelf"/> of
/// one), remembered with their labels so that <see cref="PairSupport.Of"/> lists their pairs from the labels — grouped
/// as the engine groups them (dense ids, <see cref="LabelGroups"/>), O(N + M + pairs) on the host — instead of
/// counting and scanning all N × M cells (at 16,384 rows `count_nonzero` and `nonzero` took 0.28–0.50 s of the
/// unfused NT-Xent's positives). The pairs come out in the order `nonzero` gives
/// (row-major), so results do not change.</summary>
internal static class LabelGraphs
{
    private sealed record Entry(Tensor Rows, Tensor Columns, bool ExcludeSelf);

    private static readonly ConditionalWeakTable<Tensor, Entry> Known = new();

    /// <summary><paramref name="graph"/> [N, M] = (rows_i == columns_j), minus the pairs (i, i) when
    /// <paramref name="excludeSelf"/>; remembered for integer label vectors only.</summary>
    public static Tensor Remember(Tensor graph, Tensor rows, Tensor columns, bool excludeSelf)
    {
        if (graph.dtype == ScalarType.Bool && graph.dim() == 2 && rows.dim() == 1 && columns.dim() == 1
            && IsInteger(rows.dtype) && IsInteger(columns.dtype)
            && graph.shape[0] == rows.shape[0] && graph.shape[1] == columns.shape[0])
        {
            // Copies, so that a later in-place change of the caller's labels cannot make the list differ from the mask.
            var r = rows.detach().clone();
            Known.AddOrUpdate(graph, new Entry(r, ReferenceEquals(rows, columns) ? r : columns.detach().clone(), excludeSelf));
        }
        return graph;
    }

    /// <summary><paramref name="graph"/> without its self pairs, remembered when <paramref name="source"/> was.</summary>
    public static Tensor RememberWithoutSelf(Tensor graph, Tensor source)
    {
        if (Known.TryGetValue(source, out var e) && graph.dtype == ScalarType.Bool && graph.dim() == 2)
            Known.AddOrUpdate(graph, e with { ExcludeSelf = true });
        return graph;
    }

    /// <summary>Lists a remembered graph's pairs: false when <paramref name="graph"/> is not one (or its labels were
    /// disposed); else <paramref name="rows"/> and <paramref name="columns"/> [P] (int64, the graph's device), or null
    /// for both when more than <paramref name="sparseFraction"/> of the cells are pairs.</summary>
    public static bool TryList(Tensor graph, double sparseFraction, out Tensor? rows, out Tensor? columns)
    {
        rows = columns = null;
        if (!Known.TryGetValue(graph, out var e) || e.Rows.IsInvalid || e.Columns.IsInvalid) return false;
        List(e.Rows, e.Columns, e.ExcludeSelf, sparseFraction, graph.device, out rows, out columns);
        return true;
    }

    /// <summary>The pairs (i, j) with <c>rowLabels_i == columnLabels_j</c> (without (i, i) when <paramref name="excludeSelf"/>),
    /// row-major: <paramref name="rows"/> and <paramref name="columns"/> [P] (int64, on <paramref name="device"/>), or
    /// null for both when more than <paramref name="sparseFraction"/> of the N × M cells are pairs.</summary>
    public static unsafe void List(Tensor rowLabels, Tensor columnLabels, bool excludeSelf, double sparseFraction, Device device,
        out Tensor? rows, out Tensor? columns)
    {
        rows = columns = null;
        var r = TensorIo.Labels(rowLabels, rowLabels.shape[0], "row labels");
        var c = ReferenceEquals(rowLabels, columnLabels) ? r : TensorIo.Labels(columnLabels, columnLabels.shape[0], "column labels");
        // The engine's grouping: dense ids in order of first appearance, then each id's columns, ascending (CSR).
        LabelGroups groups;
        var rowIds = new double[r.Length];
        var columnIds = new double[c.Length];
        fixed (double* ri = rowIds, ci = columnIds)
        {
            PairEngine.DenseLabels(r, c, ri, ci, c.Length);
            groups = LabelGroups.Build(ri, r.Length, ci, c.Length);
        }
        long pairs = 0;
        for (var i = 0; i < r.Length; i++)
        {
            var g = (int)rowIds[i];
            pairs += groups.ColStart[g + 1] - groups.ColStart[g] - (excludeSelf && i < c.Length && c[i] == r[i] ? 1 : 0);
        }
        if (pairs > sparseFraction * r.Length * (double)c.Length) return;

        var rowIndex = empty(pairs, ScalarType.Int64);
        var columnIndex = empty(pairs, ScalarType.Int64);
        var rowOut = TensorIo.Span<long>(rowIndex);
        var columnOut = TensorIo.Span<long>(columnIndex);
        var k = 0;
        for (var i = 0; i < r.Length; i++)
        {
            var g = (int)rowIds[i];
            for (var at = groups.ColStart[g]; at < groups.ColStart[g + 1]; at++)
            {
                var j = groups.ColIndex[at];
                if (excludeSelf && j == i) continue;
                rowOut[k] = i;
                columnOut[k] = j;
                k++;
            }
        }
        rows = device.type == DeviceType.CPU ? rowIndex : rowIndex.to(device);
        columns = device.type == DeviceType.CPU ? columnIndex : columnIndex.to(device);
    }

    private static bool IsInteger(ScalarType t) =>
        t is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte;
}
