using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Runtime.Kernels;

/// <summary>A graph the fused kernels have a mask for (see <see cref="IPairMask"/>).</summary>
public enum GraphKind
{
    /// <summary>Every pair.</summary>
    AllPairs,
    /// <summary>Pairs with equal row and column labels.</summary>
    SameLabel,
    /// <summary>Pairs with different labels.</summary>
    DifferentLabel,
    /// <summary>Row i with column (i + N/2) mod N.</summary>
    OtherView,
}

/// <summary>Per-row facts of a graph computed from its labels in O(N + M), without the N×M mask.</summary>
public static class GraphRows
{
    /// <summary>Whether row i of the graph has any pair, Bool [rows] on <paramref name="device"/> (what
    /// <c>Ops.HasAny</c> computes from the dense mask): for label graphs, from the count of each label among the
    /// columns, less the pair (i, i) when <paramref name="excludeSelf"/> drops it.</summary>
    /// <param name="rowLabels">[rows] integer labels (label graphs), else null.</param>
    /// <param name="columnLabels">[columns] labels; null: the row labels.</param>
    /// <exception cref="ArgumentException">A label graph without labels, or labels of the wrong length.</exception>
    public static Tensor HasAny(GraphKind graph, bool excludeSelf, Tensor? rowLabels, Tensor? columnLabels, long rows, long columns, Device device)
    {
        var any = new bool[rows];
        switch (graph)
        {
            case GraphKind.AllPairs:
                for (var i = 0L; i < rows; i++) any[i] = columns - (excludeSelf && i < columns ? 1 : 0) > 0;
                break;
            case GraphKind.OtherView:
                // The partner of i is (i + N/2) mod N: only i itself when N = 1.
                for (var i = 0L; i < rows; i++) any[i] = !excludeSelf || (i + rows / 2) % rows != i;
                break;
            default:
                var r = Labels(rowLabels ?? throw new ArgumentException($"A {graph} graph needs labels."), rows, "row");
                var c = columnLabels is null ? r : Labels(columnLabels, columns, "column");
                var counts = new Dictionary<long, long>();
                foreach (var label in c) counts[label] = counts.TryGetValue(label, out var k) ? k + 1 : 1;
                for (var i = 0; i < rows; i++)
                {
                    var same = counts.TryGetValue(r[i], out var k) ? k : 0;
                    var pairs = graph == GraphKind.SameLabel ? same : columns - same;
                    // The pair (i, i) is in the graph when its labels are equal (SameLabel) or differ (DifferentLabel).
                    if (excludeSelf && i < columns && (r[i] == c[i]) == (graph == GraphKind.SameLabel)) pairs--;
                    any[i] = pairs > 0;
                }
                break;
        }
        var result = tensor(any, new[] { rows });
        return device.type == DeviceType.CPU ? result : result.to(device);
    }

    private static long[] Labels(Tensor labels, long length, string which)
    {
        if (labels.dim() != 1 || labels.shape[0] != length)
            throw new ArgumentException($"The {which} labels must be [{length}], got [{string.Join(", ", labels.shape)}].");
        return labels.detach().cpu().to_type(ScalarType.Int64).contiguous().data<long>().ToArray();
    }
}
