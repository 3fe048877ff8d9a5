using System;
using System.Linq;
using LossDsl.Runtime.Assignment;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Assignment;

/// <summary>The tensor entry points: dtypes, block layouts, gradients through the matched pairs only.</summary>
public sealed class TensorMatchingTests
{
    private static long[] Values(Tensor t) => t.data<long>().ToArray();

    [Fact]
    public void Float32_and_float64_costs_give_the_host_solution_as_int64()
    {
        using var scope = NewDisposeScope();
        var rng = new Random(4);
        var host = AssignmentReference.Random(rng, 6, 9, r => r.NextDouble());
        var expected = LinearAssignment.Solve(host);
        var cost64 = tensor(AssignmentReference.Flatten(host), new long[] { 6, 9 }, ScalarType.Float64);
        foreach (var cost in new[] { cost64, cost64.to_type(ScalarType.Float32) })
        {
            var (rows, cols) = TensorMatching.LinearSumAssignment(cost);
            Assert.Equal(ScalarType.Int64, rows.dtype);
            Assert.Equal(ScalarType.Int64, cols.dtype);
            Assert.Equal(expected.Rows.Select(i => (long)i), Values(rows));
            Assert.Equal(expected.Cols.Select(j => (long)j), Values(cols));
        }
    }

    [Fact]
    public void Rectangles_and_group_ids_describe_the_same_detr_batch()
    {
        using var scope = NewDisposeScope();
        // 3 images × 4 queries; 2, 0 and 3 targets, concatenated.
        var cost = randn(new long[] { 12, 5 }, ScalarType.Float64, generator: new torch.Generator(11));
        var (r1, c1) = TensorMatching.LinearSumAssignment(cost, AssignmentBlocks.FromBlocks(12, 5, CostBlock.Batched(4, 2, 0, 3)));
        var queryImage = arange(3, ScalarType.Int64).repeat_interleave(4L);
        var targetImage = tensor(new long[] { 0, 0, 2, 2, 2 });
        var (r2, c2) = TensorMatching.LinearSumAssignment(cost, queryImage, targetImage);
        Assert.Equal(Values(r1), Values(r2));
        Assert.Equal(Values(c1), Values(c2));
        Assert.Equal(5, r1.shape[0]);
        Assert.All(Values(r1).Zip(Values(c1)), p => Assert.Equal(p.First / 4, p.Second < 2 ? 0 : 2));
    }

    [Fact]
    public void Gradients_flow_through_the_matched_pairs_only()
    {
        using var scope = NewDisposeScope();
        var cost = rand(new long[] { 5, 3 }, ScalarType.Float64, generator: new torch.Generator(2)).requires_grad_();
        var (rows, cols) = TensorMatching.LinearSumAssignment(cost);
        Assert.False(rows.requires_grad);
        // The loss reads the cost at the pairs: Σ_k C[rows_k, cols_k].
        cost[rows, cols].sum().backward();
        var expected = zeros(5, 3, ScalarType.Float64);
        expected.index_put_(ones(3, ScalarType.Float64), rows, cols);
        Assert.True(cost.grad!.equal(expected).all().item<bool>());
    }

    [Fact]
    public void An_image_without_targets_gives_empty_index_tensors()
    {
        using var scope = NewDisposeScope();
        var (rows, cols) = TensorMatching.LinearSumAssignment(zeros(6, 0, ScalarType.Float32));
        Assert.Equal(new long[] { 0 }, rows.shape);
        Assert.Equal(new long[] { 0 }, cols.shape);
        var (r, c) = TensorMatching.OneToMany(zeros(6, 0, ScalarType.Float32), 0.5, 2);
        Assert.Equal(0, r.numel() + c.numel());
    }

    [Fact]
    public void Results_outlive_the_callers_dispose_scope_and_temporaries_do_not()
    {
        var cost = rand(new long[] { 4, 4 }, ScalarType.Float64, generator: new torch.Generator(5));
        Tensor rows, cols;
        using (var outer = NewDisposeScope())
        {
            (rows, cols) = TensorMatching.LinearSumAssignment(cost);
            Assert.Equal(2, outer.DisposablesCount);  // only the two results were left in the caller's scope
            outer.MoveToOuter(rows, cols);
        }
        Assert.Equal(4, Values(rows).Length);
        rows.Dispose();
        cols.Dispose();
    }

    [Fact]
    public void Inputs_are_checked()
    {
        using var scope = NewDisposeScope();
        Assert.Contains("2-D", Assert.Throws<ArgumentException>(() => TensorMatching.LinearSumAssignment(zeros(3, ScalarType.Float64))).Message);
        Assert.Contains("floating-point", Assert.Throws<ArgumentException>(() => TensorMatching.LinearSumAssignment(zeros(3, 3, ScalarType.Int64))).Message);
        Assert.Contains("describe a 4 × 4", Assert.Throws<ArgumentException>(() =>
            TensorMatching.LinearSumAssignment(zeros(3, 3, ScalarType.Float64), AssignmentBlocks.Whole(4, 4))).Message);
        Assert.Contains("rowGroups must be [3]", Assert.Throws<ArgumentException>(() =>
            TensorMatching.LinearSumAssignment(zeros(3, 3, ScalarType.Float64), zeros(2, ScalarType.Int64), zeros(3, ScalarType.Int64))).Message);
        Assert.Contains("integer group ids", Assert.Throws<ArgumentException>(() =>
            TensorMatching.LinearSumAssignment(zeros(3, 3, ScalarType.Float64), zeros(3, ScalarType.Float32), zeros(3, ScalarType.Int64))).Message);
        var nan = zeros(2, 2, ScalarType.Float64);
        nan[1, 1] = tensor(double.NaN);
        Assert.Contains("[1, 1] is NaN", Assert.Throws<ArgumentException>(() => TensorMatching.LinearSumAssignment(nan)).Message);
    }
}
