using System;
using System.Linq;
using LossDsl.Runtime.Assignment;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

public static partial class Ops
{
    /// <summary>The minimum-cost one-to-one assignment of the rows of <paramref name="cost"/> to its columns over the
    /// pairs its graph selects (exact; <see cref="LinearAssignment"/>). The graph's connected blocks are solved
    /// apart (DETR's images: <c>SameLabel(queryImage, targetImage)</c>), each matching all of its smaller side;
    /// unselected pairs inside a block are forbidden.</summary>
    /// <exception cref="ArgumentException">A NaN cost, or a block without an assignment of finite cost.</exception>
    public static Matching Assign(MaskedRelation cost)
    {
        cost.RequireDense(nameof(Assign));
        var values = cost.Values.detach();
        var rows = values.shape[0];
        var columns = values.shape[1];
        var (rowGroups, columnGroups) = ConnectedBlocks(cost.Mask, rows, columns);
        var forbidden = Fill(values, cost.Mask.logical_not(), double.PositiveInfinity);
        var (matchedRows, matchedColumns) = TensorMatching.LinearSumAssignment(forbidden, rowGroups, columnGroups);
        return new Matching(matchedRows, matchedColumns, rows, columns);
    }

    /// <summary>Hydra-SGG's one-to-many matching: within each connected block of the graph, for each column the rows
    /// whose score is ≥ <paramref name="threshold"/> (unselected pairs score −∞: they never qualify unless the threshold
    /// is −∞), at most
    /// <paramref name="topK"/> of them, best first (<see cref="OneToManyMatching"/>: ties by the lower row). Pairs
    /// come block by block, column ascending. Not differentiated.</summary>
    /// <exception cref="ArgumentException">A NaN score or threshold, or <paramref name="topK"/> not a whole number ≥ 1.</exception>
    public static Matching AssignMany(MaskedRelation score, double threshold, double topK)
    {
        score.RequireDense(nameof(AssignMany));
        if (!(topK >= 1) || Math.Floor(topK) != topK)
            throw new ArgumentException($"AssignMany keeps a whole number ≥ 1 of rows per column, got topK = {topK}.", nameof(topK));
        var values = score.Values.detach();
        var rows = values.shape[0];
        var columns = values.shape[1];
        var (rowGroups, columnGroups) = ConnectedBlocks(score.Mask, rows, columns);
        var allowed = Fill(values, score.Mask.logical_not(), double.NegativeInfinity);
        var k = topK >= int.MaxValue ? int.MaxValue : (int)topK;
        var (matchedRows, matchedColumns) = TensorMatching.OneToMany(allowed, rowGroups, columnGroups, threshold, k);
        return new Matching(matchedRows, matchedColumns, rows, columns);
    }

    /// <summary>The row of every matched pair, [M].</summary>
    public static Tensor MatchedRows(Matching m) => m.Rows;

    /// <summary>The column of every matched pair, [M].</summary>
    public static Tensor MatchedColumns(Matching m) => m.Columns;

    /// <summary>For every row, the label of its matched column, or <paramref name="unmatched"/>: [R].</summary>
    public static Tensor MatchedLabels(Matching m, Tensor columnLabels, double unmatched)
    {
        var labels = Full(new[] { m.RowCount }, unmatched, ScalarType.Int64, columnLabels.device);
        if (m.Rows.numel() == 0) return labels;
        return labels.index_put_(columnLabels.to(ScalarType.Int64).index_select(0, m.Columns), m.Rows);
    }

    /// <summary>As <see cref="MatchedLabels(Matching, Tensor, double)"/> with the unmatched label a 0-d tensor.</summary>
    public static Tensor MatchedLabels(Matching m, Tensor columnLabels, Tensor unmatched) =>
        MatchedLabels(m, columnLabels, Math.Round(unmatched.detach().to(ScalarType.Float64).cpu().item<double>()));

    /// <summary>The relation's value at every matched pair, [M].</summary>
    public static Tensor AtPairs(Tensor r, Matching m) => r.index(new TensorIndex[] { TensorIndex.Tensor(m.Rows), TensorIndex.Tensor(m.Columns) });

    /// <summary>Group ids of rows and columns: one per connected block of the selected pairs (−1: no pair).</summary>
    private static (Tensor Rows, Tensor Columns) ConnectedBlocks(Tensor mask, long rows, long columns)
    {
        var selected = mask.to(ScalarType.Bool).cpu().contiguous().data<bool>().ToArray();
        var parent = Enumerable.Range(0, (int)(rows + columns)).ToArray();
        int Find(int x) { while (parent[x] != x) x = parent[x] = parent[parent[x]]; return x; }
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < columns; j++)
                if (selected[i * columns + j]) parent[Find(i)] = Find((int)(rows + j));
        var touched = new bool[rows + columns];
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < columns; j++)
                if (selected[i * columns + j]) touched[i] = touched[rows + j] = true;
        var ids = new long[rows + columns];
        for (var k = 0; k < ids.Length; k++) ids[k] = touched[k] ? Find(k) : -1;
        return (tensor(ids.Take((int)rows).ToArray()), tensor(ids.Skip((int)rows).ToArray()));
    }
}
