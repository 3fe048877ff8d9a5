using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Cli;
using LossDsl.Ir;
using LossDsl.Runtime;
using LossDsl.Tests.Equality;
using LossDsl.Tests.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Reliability;

/// <summary>Issue 9's faults by kind, over every operation and zoo loss they could reach (the issue's own inputs are
/// <see cref="IssueInputsTests"/>): distances of identical rows, NaN through value-based selections and through every
/// zoo loss, scale-invariant normalisation.</summary>
public sealed class NumericKindsTests
{
    public static TheoryData<Metric, bool, ScalarType, int> Distances()
    {
        var data = new TheoryData<Metric, bool, ScalarType, int>();
        foreach (var metric in new[] { Metric.Euclidean, Metric.SqEuclidean, Metric.L1 })
            foreach (var self in new[] { true, false })
                foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64, ScalarType.Float16 })
                    foreach (var rank in new[] { 2, 3 })
                        data.Add(metric, self, dtype, rank);
        return data;
    }

    /// <summary>Identical rows are exactly 0 apart with a zero subgradient, in every dtype, for self and cross relations
    /// and token relations (leading batch axes); other pairs are unchanged and their gradient finite.</summary>
    [Theory]
    [MemberData(nameof(Distances))]
    public void Identical_rows_are_exactly_zero_apart_with_a_zero_subgradient(Metric metric, bool self, ScalarType dtype, int rank)
    {
        using var scope = NewDisposeScope();
        // Rows 0, 2 and 4 are equal (and 1 = 3); values such that the expansion |x|² + |y|² − 2⟨x, y⟩ does not cancel exactly.
        var rows = new double[,] { { 0.6, 0.8, 0.1 }, { 1, 0, 0.3 }, { 0.6, 0.8, 0.1 }, { 1, 0, 0.3 }, { 0.6, 0.8, 0.1 }, { -0.7, 0.2, 0.9 } };
        var x = tensor(rows, ScalarType.Float64).to(dtype);
        if (rank == 3) x = stack(new[] { x, x.flip(0) });
        x = x.requires_grad_(true);
        var y = self ? x : x.detach().clone().requires_grad_(true);
        var d = Ops.Pairwise(x, y, metric, self);
        var values = d.detach().to(ScalarType.Float64);
        var equal = Ops.Pairwise(x.detach(), y.detach(), Metric.L1, false).to(ScalarType.Float64).eq(0);
        Assert.Equal(0.0, values.masked_select(equal).abs().sum().item<double>());
        Assert.True((values.masked_select(equal.logical_not()) > 0).all().item<bool>());

        // The gradient of the coincident entries alone is exactly zero; of all entries, finite.
        d.masked_select(equal).sum().backward(retain_graph: true);
        Assert.Equal(0.0, x.grad!.to(ScalarType.Float64).abs().sum().item<double>());
        x.grad.zero_();
        d.sum().backward();
        Assert.False(x.grad.isnan().any().item<bool>() || x.grad.isinf().any().item<bool>());
    }

    /// <summary>Every zoo loss that reads distances (or RKD angles) gives, on a batch with duplicated embeddings, the same
    /// value in float32 as in float64 (both exact: nothing counts a rounded 1e-6 distance) and finite gradients.</summary>
    [Theory]
    [MemberData(nameof(DistanceLosses))]
    public void Zoo_losses_over_distances_are_exact_with_duplicated_embeddings(string name, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var loss = SmallBatchTests.ZooLosses().Single(l => l.Name == name);
        var ir = loss.Trace();
        var plan = TypeInference.Infer(ir).Plan;
        // One draw for both dtypes (RandomInputs reads the global generator, which parallel tests also use).
        var drawn = RandomInputs.For(ir, seed: 9, batch: 6);
        Dictionary<string, Tensor> Inputs(ScalarType dtype)
        {
            var inputs = drawn.ToDictionary(p => p.Key, p => p.Value.detach().clone());
            foreach (var check in plan.Inputs.Where(c => !OpCatalog.IsInteger(c.Kind) && c.Dims.Count >= 2 && c.Dims[0] == TypeInference.Batch))
            {
                // Rows 1 and 3 copy row 0, and row 5 copies row 4; values rounded to float32 so both dtypes see them.
                var t = inputs[check.Input].detach().to(ScalarType.Float32).to(ScalarType.Float64);
                t[1] = t[0]; t[3] = t[0]; t[5] = t[4];
                inputs[check.Input] = t.to(dtype).requires_grad_(true);
            }
            foreach (var check in plan.Inputs.Where(c => !OpCatalog.IsInteger(c.Kind) && !(c.Dims.Count >= 2 && c.Dims[0] == TypeInference.Batch)))
                inputs[check.Input] = inputs[check.Input].detach().to(ScalarType.Float32).to(dtype).requires_grad_(true);
            return inputs;
        }
        var f32 = Inputs(ScalarType.Float32);
        using var r32 = LossPaths.Compute(loss, path)(f32);
        r32.Total.backward();
        using var r64 = LossPaths.Compute(loss, path)(Inputs(ScalarType.Float64));
        var (a, b) = (r32.Total.to(ScalarType.Float64).item<double>(), r64.Total.item<double>());
        Assert.True(double.IsFinite(a) && Math.Abs(a - b) <= 2e-5 * Math.Max(1, Math.Abs(b)), $"{name} ({path}): float32 {a:R}, float64 {b:R}");
        foreach (var g in f32.Values.Where(t => t.grad is not null).Select(t => t.grad!))
            Assert.False(g.isnan().any().item<bool>() || g.isinf().any().item<bool>(), $"{name}: non-finite gradient");
    }

    public static TheoryData<string, EvaluationPath> DistanceLosses()
    {
        var data = new TheoryData<string, EvaluationPath>();
        foreach (var loss in SmallBatchTests.ZooLosses())
        {
            var ir = loss.Trace();
            if (!ir.Nodes.Any(n => n.Op == OpCode.Angles || n.Op == OpCode.Pairwise && n.Metric is Metric.Euclidean or Metric.SqEuclidean or Metric.L1)) continue;
            if (ir.Nodes.Any(n => OpCatalog.IsHost(n.Op))) continue; // DETR's matcher: ties between duplicates are broken arbitrarily
            foreach (var path in new[] { EvaluationPath.Unfused, EvaluationPath.Fused })
                data.Add(loss.Name, path);
        }
        return data;
    }

    /// <summary>A NaN (or +∞) in any float input of any zoo loss never gives a finite loss, on every path: the loss is
    /// NaN (Propagate), or the call is refused naming the input (Throw; host-operation losses; boxes).</summary>
    [Theory]
    [MemberData(nameof(ZooPaths))]
    public void A_non_finite_value_in_any_input_of_any_zoo_loss_never_gives_a_finite_loss(string name, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var loss = SmallBatchTests.ZooLosses().Single(l => l.Name == name);
        var ir = loss.Trace();
        var random = new Random(name.Length);
        foreach (var input in ir.Inputs.Where(i => !OpCatalog.IsInteger(i.Kind)))
            foreach (var bad in new[] { double.NaN, double.PositiveInfinity })
                foreach (var policy in new[] { NonFiniteInputs.Propagate, NonFiniteInputs.Throw })
                {
                    var inputs = RandomInputs.For(ir, seed: 4, batch: 5);
                    var values = inputs[input.Name].detach().clone();
                    var flat = values.view(-1);
                    flat[random.Next((int)flat.numel())] = tensor(bad, values.dtype);
                    inputs[input.Name] = values.requires_grad_(true);
                    loss.NonFiniteInputs = policy;
                    Func<LossResult> compute = path == EvaluationPath.Interpreted
                        ? () => IrInterpreter.Evaluate(ir, inputs, lossName: name, nonFinite: policy)
                        : () => LossPaths.Compute(loss, path)(inputs);
                    try
                    {
                        using var result = compute();
                        Assert.True(policy == NonFiniteInputs.Propagate, $"{name}: Throw let {bad} in '{input.Name}' through");
                        Assert.True(double.IsNaN(result.Total.item<double>()), $"{name} ({path}): {bad} in '{input.Name}' gave {result.Total.item<double>()}");
                    }
                    catch (LossInputException e)
                    {
                        Assert.Equal(input.Name, e.Input);
                        Assert.Contains(name, e.Message);
                    }
                }
        loss.NonFiniteInputs = NonFiniteInputs.Propagate;
    }

    public static TheoryData<string, EvaluationPath> ZooPaths() => SmallBatchTests.Losses();

    /// <summary>Every selection made from values keeps a NaN (so it reaches the value) instead of filtering it out.</summary>
    [Fact]
    public void Value_based_selections_keep_NaN()
    {
        using var scope = NewDisposeScope();
        var v = tensor(new[] { 1.0, double.NaN, -2.0, 0.0 });
        Assert.True(double.IsNaN(Ops.MeanNonZero(v).item<double>()));
        Assert.Equal(2.0, Ops.CountPositive(v).item<double>());

        var r = tensor(new[,] { { 0.0, double.NaN }, { 1.0, 2.0 } });
        var all = ones(2, 2, ScalarType.Bool);
        Assert.True(double.IsNaN(Ops.MeanNonZero(Ops.Over(r, all)).item<double>()));
        Assert.True(Ops.RowLogSumExp(Ops.Over(r, all)).isnan()[0].item<bool>());
        Assert.True(Ops.RowMax(Ops.Over(r, all)).isnan()[0].item<bool>());
        Assert.True(Ops.MeanNormalized(r).isnan().all().item<bool>());
        // A soft graph with a NaN weight selects that pair.
        var weights = tensor(new[,] { { double.NaN, 0.0 }, { 1.0, 0.5 } });
        Assert.True(Ops.RowSum(Ops.Over(tensor(new[,] { { 1.0, 1.0 }, { 1.0, 1.0 } }), weights)).isnan()[0].item<bool>());

        var d = tensor(new[,] { { 0.0, 1.0, double.NaN }, { 1.0, 0.0, 2.0 }, { double.NaN, 2.0, 0.0 } });
        var positives = tensor(new[,] { { false, true, false }, { true, false, false }, { false, false, false } });
        var negatives = positives.logical_not().logical_and(eye(3, dtype: ScalarType.Bool).logical_not());
        var triplets = Ops.Triplets(d, positives, negatives);
        Assert.True(double.IsNaN(Ops.MeanNonZero(triplets).item<double>()));
        Assert.True(double.IsNaN(Ops.Mean(Ops.MineHard(triplets)).item<double>()));
        Assert.True(double.IsNaN(Ops.Mean(Ops.MineSemiHard(triplets, 0.2)).item<double>()));

        Assert.True(Ops.Normalize(tensor(new[,] { { double.NaN, 1.0 } })).isnan().all().item<bool>());
        Assert.True(Ops.Normalize(tensor(new[,] { { double.PositiveInfinity, 1.0 } })).isnan().any().item<bool>());
    }

    /// <summary>Normalize and RowNorm in float32 over the whole range: the same direction and a norm within rounding,
    /// from subnormal-adjacent to near-overflow magnitudes; a zero row gives 0 with a zero gradient.</summary>
    [Theory]
    [InlineData(1e-38)]
    [InlineData(1e-25)]
    [InlineData(1.0)]
    [InlineData(1e20)]
    [InlineData(1e38)]
    public void Normalize_and_RowNorm_survive_the_float32_range(double scale)
    {
        using var scope = NewDisposeScope();
        var rows = tensor(new[,] { { 0.6, -0.8, 0.0 }, { 0.5, 0.25, -1.0 }, { 0.0, 0.0, 0.0 } });
        var x = (rows * scale).to(ScalarType.Float32).requires_grad_(true);
        var unit = Ops.Normalize(x);
        var expected = torch.nn.functional.normalize(rows, dim: -1);
        Assert.True((unit.to(ScalarType.Float64) - expected).abs().max().item<double>() < 1e-6);
        var norm = Ops.RowNorm(x).to(ScalarType.Float64) / scale;
        Assert.True((norm - rows.norm(-1, false, 2)).abs().max().item<double>() < 1e-6 * 5);
        unit.sum().backward();
        Assert.Equal(0.0, x.grad![2].abs().sum().to(ScalarType.Float64).item<double>());
        Assert.False(x.grad.isnan().any().item<bool>());
    }

    /// <summary>A NaN made inside the loss (from finite inputs) before a fused region reaches the value, fused and not.
    /// Fused, these run the current generated kernels, which the kernels-v2 engine replaces: see the trait.</summary>
    [Theory]
    [InlineData("NaNBeforeFusedLogSumExp", false)]
    [InlineData("NaNBeforeFusedPairSum", false)]
    [InlineData("NaNBeforeFusedPairSum", true)]
    public void A_NaN_made_before_a_fused_region_reaches_the_value(string name, bool fused)
    {
        using var scope = NewDisposeScope();
        ILoss loss = name == "NaNBeforeFusedLogSumExp" ? new NaNBeforeFusedLogSumExp() : new NaNBeforeFusedPairSum();
        LossPaths.UseFused(loss, fused);
        var z = TestData.Randn(3, 6, 4);
        z[0, 0] = tensor(-20.0); // √(−10): NaN
        using var result = loss.Compute(new Dictionary<string, Tensor> { ["z"] = z, ["y"] = arange(6, ScalarType.Int64) % 2 });
        Assert.True(double.IsNaN(result.Total.item<double>()), $"{name} (fused: {fused}) = {result.Total.item<double>()}");
    }

    /// <summary>The first fused log-sum-exp kernel took a row whose relation is NaN for an empty row (−∞, no gradient), so a
    /// NaN made before it was lost (MultiSimilarity's fused 0.178611 of issue 9, item 4, came from this kernel; NaN
    /// <i>inputs</i> are caught before any kernel by <see cref="NonFiniteInputs.Propagate"/>). Expected: NaN.</summary>
    [Fact]
    public void A_NaN_made_before_a_fused_log_sum_exp_reaches_the_value_fused()
    {
        using var scope = NewDisposeScope();
        var loss = new NaNBeforeFusedLogSumExp { UseFusedKernels = true, MinimumFusedPairs = 0 };
        var z = TestData.Randn(3, 6, 4);
        z[0, 0] = tensor(-20.0);
        using var result = loss.Compute(new Dictionary<string, Tensor> { ["z"] = z, ["y"] = arange(6, ScalarType.Int64) % 2 });
        Assert.True(double.IsNaN(result.Total.item<double>()), $"fused = {result.Total.item<double>()}");
    }

    /// <summary>Issue 9, item 4's input with the input check off (<see cref="NonFiniteInputs.Unchecked"/>): the NaN row takes
    /// part in selected pairs, so the value must be NaN as unfused; the first fused log-sum-exp kernel treated the row as
    /// empty (MultiSimilarity gave 0.178611). Under the default <see cref="NonFiniteInputs.Propagate"/> these are NaN on every path
    /// (<see cref="IssueInputsTests"/>).</summary>
    [Theory]
    [InlineData("MultiSimilarity")]
    [InlineData("SupCon")]
    [InlineData("NtXent")]
    public void Unchecked_a_NaN_input_row_reaches_the_value_through_the_fused_kernels(string name)
    {
        using var scope = NewDisposeScope();
        var loss = SmallBatchTests.ZooLosses().Single(l => l.Name == name);
        LossPaths.UseFused(loss, true);
        loss.NonFiniteInputs = NonFiniteInputs.Unchecked;
        var z = tensor(new[,] { { double.NaN, 0, 0 }, { 1, 0, 0 }, { 0, 1, 0 }, { 1, 1, 0 } }).requires_grad_(true);
        using var result = loss.Compute(new Dictionary<string, Tensor> { ["z"] = z, ["y"] = tensor(new long[] { 0, 0, 1, 1 }) });
        Assert.True(double.IsNaN(result.Total.item<double>()), $"{name} fused, Unchecked = {result.Total.item<double>()}");
    }

    /// <summary>The same input unfused and Unchecked: NaN, through the masked reductions that keep NaN.</summary>
    [Theory]
    [InlineData("MultiSimilarity")]
    [InlineData("SupCon")]
    [InlineData("NtXent")]
    public void Unchecked_a_NaN_input_row_reaches_the_value_unfused(string name)
    {
        using var scope = NewDisposeScope();
        var loss = SmallBatchTests.ZooLosses().Single(l => l.Name == name);
        LossPaths.UseFused(loss, false);
        loss.NonFiniteInputs = NonFiniteInputs.Unchecked;
        var z = tensor(new[,] { { double.NaN, 0, 0 }, { 1, 0, 0 }, { 0, 1, 0 }, { 1, 1, 0 } }).requires_grad_(true);
        using var result = loss.Compute(new Dictionary<string, Tensor> { ["z"] = z, ["y"] = tensor(new long[] { 0, 0, 1, 1 }) });
        Assert.True(double.IsNaN(result.Total.item<double>()), $"{name} unfused, Unchecked = {result.Total.item<double>()}");
    }
}
