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
    /// <summary>Each remembered mask's description: the graph it is, as generated code would hand it over unbuilt.</summary>
    private static readonly ConditionalWeakTable<Tensor, LabelPairs> Known = new();

    /// <summary><paramref name="graph"/> [N, M] = (rows_i == columns_j), minus the pairs (i, i) when
    /// <paramref name="excludeSelf"/>; remembered for int64 and int32 label vectors (the labels the lists read).</summary>
    public static Tensor Remember(Tensor graph, Tensor rows, Tensor columns, bool excludeSelf)
    {
        if (graph.dtype == ScalarType.Bool && graph.dim() == 2 && rows.dim() == 1 && columns.dim() == 1
            && IsLabelType(rows.dtype) && IsLabelType(columns.dtype)
            && graph.shape[0] == rows.shape[0] && graph.shape[1] == columns.shape[0])
        {
            // Copies, so that a later in-place change of the caller's labels cannot make the list differ from the mask.
            var r = rows.detach().clone();
            Known.AddOrUpdate(graph, new LabelPairs(r, ReferenceEquals(rows, columns) ? r : columns.detach().clone(), excludeSelf));
        }
        return graph;
    }

    /// <summary><paramref name="graph"/> without its self pairs, remembered when <paramref name="source"/> was.</summary>
    public static Tensor RememberWithoutSelf(Tensor graph, Tensor source)
    {
        if (Known.TryGetValue(source, out var d) && graph.dtype == ScalarType.Bool && graph.dim() == 2)
            Known.AddOrUpdate(graph, new LabelPairs(d.Rows, d.Columns, excludeSelf: true));
        return graph;
    }

    /// <summary>The description of a remembered mask; null when <paramref name="graph"/> is not one (or its labels
    /// were disposed).</summary>
    public static LabelPairs? Description(Tensor graph) =>
        Known.TryGetValue(graph, out var d) && !d.Rows.IsInvalid && !d.Columns.IsInvalid ? d : null;

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

    internal static bool IsLabelType(ScalarType t) => t is ScalarType.Int64 or ScalarType.Int32;
}
