using System;
using System.Linq;
using LossDsl.Runtime.Assignment;
using static TorchSharp.torch;

namespace LossDsl.Tests.Assignment;

/// <summary>The documented one-to-many rule: per target, rows with score ≥ threshold, best first, at most top-k.</summary>
public sealed class OneToManyMatchingTests
{
    // 5 predictions × 3 targets.
    private static readonly double[,] Scores =
    {
        { 0.9, 0.1, 0.6 },
        { 0.5, 0.8, 0.6 },
        { 0.7, 0.2, 0.6 },
        { 0.5, 0.3, 0.4 },
        { 0.2, 0.8, 0.9 },
    };

    private static AssignmentPairs Select(double threshold, int topK, bool exclusive = false, AssignmentBlocks? blocks = null) =>
        OneToManyMatching.Select(AssignmentReference.Flatten(Scores), blocks ?? AssignmentBlocks.Whole(5, 3), threshold, topK, exclusive);

    [Fact]
    public void Each_target_keeps_its_best_rows_above_the_threshold()
    {
        var pairs = Select(threshold: 0.5, topK: 3);
        // Target 0: 0.9 (row 0), 0.7 (row 2), then 0.5 twice: rows 1 and 3 tie, the lower row wins the third place.
        // Target 1: 0.8 twice (rows 1, 4). Target 2: 0.9 (row 4), then 0.6 three times (rows 0, 1, 2): rows 0, 1.
        Assert.Equal(new[] { 0, 2, 1, 1, 4, 4, 0, 1 }, pairs.Rows);
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 2, 2, 2 }, pairs.Cols);
    }

    [Fact]
    public void The_threshold_is_inclusive_and_top_k_may_be_unlimited()
    {
        var pairs = Select(threshold: 0.8, topK: int.MaxValue);
        Assert.Equal(new[] { 0, 1, 4, 4 }, pairs.Rows);
        Assert.Equal(new[] { 0, 1, 1, 2 }, pairs.Cols);
        Assert.Empty(Select(threshold: 0.95, topK: 2).Rows);
    }

    [Fact]
    public void Exclusive_rows_keep_their_best_target_without_refilling()
    {
        var pairs = Select(threshold: 0.5, topK: 3, exclusive: true);
        // Row 1 (0.5, 0.8, 0.6) keeps target 1; row 4 (0.8, 0.9) keeps target 2; row 0 (0.9, 0.6) keeps target 0.
        Assert.Equal(new[] { 0, 2, 1, 4 }, pairs.Rows);
        Assert.Equal(new[] { 0, 0, 1, 2 }, pairs.Cols);
        // Equal best scores go to the lower column.
        var tie = OneToManyMatching.Select(new[] { 0.7, 0.7 }, AssignmentBlocks.Whole(1, 2), 0.5, 1, exclusiveRows: true);
        Assert.Equal(new[] { 0 }, tie.Cols);
    }

    [Fact]
    public void Blocks_are_independent()
    {
        var blocks = AssignmentBlocks.FromBlocks(5, 3, new[] { new CostBlock(0, 3, 0, 2), new CostBlock(3, 2, 2, 1) });
        var pairs = Select(threshold: 0.5, topK: 1, blocks: blocks);
        Assert.Equal(new[] { 0, 2, 3 }, pairs.BlockStarts);
        Assert.Equal(new[] { 0, 1, 4 }, pairs.Rows);
        Assert.Equal(new[] { 0, 1, 2 }, pairs.Cols);
    }

    [Fact]
    public void Tensor_entry_point_matches_the_host_rule()
    {
        using var scope = NewDisposeScope();
        var score = tensor(AssignmentReference.Flatten(Scores), new long[] { 5, 3 }).to_type(ScalarType.Float32);
        var (rows, cols) = TensorMatching.OneToMany(score, 0.5, 3);
        var host = Select(0.5, 3);
        Assert.Equal(host.Rows.Select(i => (long)i), rows.data<long>().ToArray());
        Assert.Equal(host.Cols.Select(j => (long)j), cols.data<long>().ToArray());
        var (gr, gc) = TensorMatching.OneToMany(score, tensor(new long[] { 0, 0, 0, 1, 1 }), tensor(new long[] { 0, 0, 1 }), 0.5, 1);
        Assert.Equal(new long[] { 0, 1, 4 }, gr.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1, 2 }, gc.data<long>().ToArray());
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Select(0.5, 0));
        Assert.Throws<ArgumentException>(() => Select(double.NaN, 1));
        var nan = AssignmentReference.Flatten(Scores);
        nan[4] = double.NaN;
        Assert.Contains("Score [1, 1] is NaN", Assert.Throws<ArgumentException>(() =>
            OneToManyMatching.Select(nan, AssignmentBlocks.Whole(5, 3), 0.5, 1)).Message);
        var blocks = AssignmentBlocks.FromBlocks(5, 3, new[] { new CostBlock(0, 1, 0, 1), new CostBlock(1, 4, 1, 2) });
        Assert.Contains("Score [1, 1] is NaN (in block 1 (rows 1..4, columns 1..2))", Assert.Throws<ArgumentException>(() =>
            OneToManyMatching.Select(nan, blocks, 0.5, 1)).Message);
    }
}
