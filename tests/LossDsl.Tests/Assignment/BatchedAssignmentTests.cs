using System;
using System.Linq;
using LossDsl.Runtime.Assignment;
using static LossDsl.Tests.Assignment.AssignmentReference;

namespace LossDsl.Tests.Assignment;

/// <summary>Independent blocks of one matrix: rectangles (DETR's per-image blocks) and group ids.</summary>
public sealed class BatchedAssignmentTests
{
    /// <summary>A sub-matrix as its own matrix.</summary>
    private static double[,] Sub(double[,] a, int[] rows, int[] cols)
    {
        var s = new double[rows.Length, cols.Length];
        for (var i = 0; i < rows.Length; i++)
            for (var j = 0; j < cols.Length; j++)
                s[i, j] = a[rows[i], cols[j]];
        return s;
    }

    [Fact]
    public void Each_block_is_solved_alone_including_empty_ones()
    {
        // Four images of 5 queries with 3, 0, 5 and 7 targets (more targets than queries in the last).
        var rng = new Random(3);
        var counts = new[] { 3, 0, 5, 7 };
        var blocks = CostBlock.Batched(5, counts);
        var cost = Random(rng, 20, counts.Sum(), r => r.NextDouble());
        var pairs = LinearAssignment.Solve(Flatten(cost), AssignmentBlocks.FromBlocks(20, 15, blocks));

        Assert.Equal(new[] { 0, 3, 3, 8, 13 }, pairs.BlockStarts);
        for (var b = 0; b < blocks.Length; b++)
        {
            var rows = Enumerable.Range(blocks[b].RowStart, blocks[b].RowCount).ToArray();
            var cols = Enumerable.Range(blocks[b].ColStart, blocks[b].ColCount).ToArray();
            var (localRows, localCols) = Solve(Sub(cost, rows, cols));
            Assert.Equal(localRows.Select(i => rows[i]).ToArray(), pairs.BlockRows(b).ToArray());
            Assert.Equal(localCols.Select(j => cols[j]).ToArray(), pairs.BlockCols(b).ToArray());
        }
    }

    [Fact]
    public void Entries_outside_every_block_are_never_read()
    {
        var cost = new double[4, 4];
        for (var i = 0; i < 4; i++) for (var j = 0; j < 4; j++) cost[i, j] = double.NaN;
        cost[0, 0] = 1; cost[0, 1] = 0; cost[1, 0] = 0; cost[1, 1] = 1;  // block 0: rows 0–1, columns 0–1
        cost[2, 3] = 4; cost[3, 3] = 2;                                  // block 1: rows 2–3, column 3
        var pairs = LinearAssignment.Solve(Flatten(cost), AssignmentBlocks.FromBlocks(4, 4, new[] { new CostBlock(0, 2, 0, 2), new CostBlock(2, 2, 3, 1) }));
        Assert.Equal(new[] { 0, 1, 3 }, pairs.Rows);
        Assert.Equal(new[] { 1, 0, 3 }, pairs.Cols);
    }

    [Fact]
    public void Groups_need_not_be_contiguous_and_negative_ids_are_left_out()
    {
        var rng = new Random(9);
        var cost = Random(rng, 9, 7, r => r.NextDouble());
        long[] rowGroups = { 2, 0, 2, -1, 0, 2, 5, 0, 2 };
        long[] colGroups = { 0, 2, 2, 0, -1, 7, 2 };
        var blocks = AssignmentBlocks.FromGroups(rowGroups, colGroups);
        var pairs = LinearAssignment.Solve(Flatten(cost), blocks);

        // Groups in ascending id: 0, 2, 5 (rows only), 7 (a column only).
        Assert.Equal(4, blocks.Count);
        Assert.Equal(new[] { 0, 2, 5, 5, 5 }, pairs.BlockStarts);
        var ids = new long[] { 0, 2, 5, 7 };
        for (var b = 0; b < ids.Length; b++)
        {
            var rows = Enumerable.Range(0, 9).Where(i => rowGroups[i] == ids[b]).ToArray();
            var cols = Enumerable.Range(0, 7).Where(j => colGroups[j] == ids[b]).ToArray();
            Assert.Equal(rows, blocks.RowsOf(b).ToArray());
            Assert.Equal(cols, blocks.ColsOf(b).ToArray());
            if (rows.Length == 0 || cols.Length == 0) continue;
            var (localRows, localCols) = Solve(Sub(cost, rows, cols));
            Assert.Equal(localRows.Select(i => rows[i]).ToArray(), pairs.BlockRows(b).ToArray());
            Assert.Equal(localCols.Select(j => cols[j]).ToArray(), pairs.BlockCols(b).ToArray());
        }
    }

    [Fact]
    public void Errors_name_the_block()
    {
        var inf = double.PositiveInfinity;
        var cost = new double[,] { { 1, 2, inf }, { 3, 4, inf }, { 5, 6, inf } };
        var blocks = AssignmentBlocks.FromBlocks(3, 3, new[] { new CostBlock(0, 2, 0, 2), new CostBlock(2, 1, 2, 1) });
        var e = Assert.Throws<ArgumentException>(() => LinearAssignment.Solve(Flatten(cost), blocks));
        Assert.StartsWith("In block 1 (rows 2..2, columns 2..2): No assignment of finite cost exists: row 2", e.Message);

        cost[1, 0] = double.NaN;
        var groups = AssignmentBlocks.FromGroups(new long[] { 4, 4, 6 }, new long[] { 4, 4, 6 });
        Assert.StartsWith("In group 4: Assignment cost [1, 0] is NaN",
                          Assert.Throws<ArgumentException>(() => LinearAssignment.Solve(Flatten(cost), groups)).Message);
    }

    [Fact]
    public void Blocks_must_fit_and_be_disjoint()
    {
        Assert.Contains("does not fit", Assert.Throws<ArgumentException>(() =>
            AssignmentBlocks.FromBlocks(4, 4, new[] { new CostBlock(2, 3, 0, 1) })).Message);
        Assert.Contains("does not fit", Assert.Throws<ArgumentException>(() =>
            AssignmentBlocks.FromBlocks(4, 4, new[] { new CostBlock(0, -1, 0, 1) })).Message);
        Assert.Contains("Blocks 0 and 1 share column 1", Assert.Throws<ArgumentException>(() =>
            AssignmentBlocks.FromBlocks(4, 4, new[] { new CostBlock(0, 2, 0, 2), new CostBlock(2, 2, 1, 2) })).Message);
        Assert.Throws<ArgumentException>(() => LinearAssignment.Solve(new double[15], AssignmentBlocks.Whole(4, 4)));
    }
}
