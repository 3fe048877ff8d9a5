using System;
using System.Collections.Generic;
using CsCheck;
using LossDsl.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Tests.Fusion;
using static TorchSharp.torch;

namespace LossDsl.Tests.Kernels;

/// <summary>The zoo's losses written over the engine (<see cref="KernelLosses"/>) equal the zoo's plain
/// TorchSharp path (fusion off), values and gradients, float64 1e-9 and float32 1e-4; property tests over random
/// shapes, label structures (one class, all distinct, a few) and hyper-parameters.</summary>
[Collection(EngineSettingsCollection.Name)]
public class ZooOverEngineTests
{
    private static (double Value, Tensor Grad) Zoo(ILoss loss, Dictionary<string, Tensor> inputs, string wrt)
    {
        LossPaths.UseFused(loss, false);
        var leaf = inputs[wrt].detach().clone().requires_grad_(true);
        inputs[wrt] = leaf;
        using var result = loss.Compute(inputs);
        result.Total.backward();
        return (result.Total.to_type(ScalarType.Float64).item<double>(), leaf.grad!.detach().clone());
    }

    private static (double Value, Tensor Grad) Engine(Func<Tensor, Tensor> loss, Tensor input)
    {
        var leaf = input.detach().clone().requires_grad_(true);
        var total = loss(leaf);
        total.backward();
        return (total.to_type(ScalarType.Float64).item<double>(), leaf.grad!.detach().clone());
    }

    private static void Same((double Value, Tensor Grad) engine, (double Value, Tensor Grad) zoo, ScalarType dtype, string what)
    {
        var tol = FusionNumerics.Tolerance(dtype);
        var scale = Math.Max(Math.Abs(zoo.Value), dtype == ScalarType.Float32 ? FusionNumerics.Floor32 : FusionNumerics.Floor64);
        Assert.True(Math.Abs(engine.Value - zoo.Value) <= tol * scale, $"{what}: engine {engine.Value:R} vs zoo {zoo.Value:R}");
        PairEngineTests.Within(engine.Grad, zoo.Grad, tol, $"{what}: gradient");
    }

    private static Tensor Labels(Random r, int n, int kind) => kind switch
    {
        0 => zeros(n, ScalarType.Int64),                                   // one class
        1 => arange(n, ScalarType.Int64),                                  // all distinct
        _ => tensor(RandomLabels(r, n), ScalarType.Int64),                 // a few classes
    };

    private static long[] RandomLabels(Random r, int n)
    {
        var y = new long[n];
        for (var i = 0; i < n; i++) y[i] = r.Next(Math.Max(1, n / 4));
        return y;
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void Every_engine_loss_equals_the_zoo_on_a_mixed_batch(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var z = randn(new long[] { 90, 24 }, dtype);
        var y = tensor(RandomLabels(new Random(3), 90), ScalarType.Int64);
        var t = randn(new long[] { 90, 20 }, dtype);
        var inputs = new Dictionary<string, Tensor> { ["z"] = z, ["y"] = y };
        Same(Engine(x => KernelLosses.NtXent(x, y, 0.07), z), Zoo(new LossDsl.Zoo.NtXent(), new(inputs), "z"), dtype, "NtXent");
        Same(Engine(x => KernelLosses.SupCon(x, y, 0.1), z), Zoo(new LossDsl.Zoo.SupCon(), new(inputs), "z"), dtype, "SupCon");
        Same(Engine(x => KernelLosses.BatchHard(x, y, 0.2), z), Zoo(new LossDsl.Zoo.BatchHardTriplet(), new(inputs), "z"), dtype, "BatchHardTriplet");
        Same(Engine(x => KernelLosses.Contrastive(x, y, 0, 1), z), Zoo(new LossDsl.Zoo.Contrastive(), new(inputs), "z"), dtype, "Contrastive");
        Same(Engine(x => KernelLosses.MultiSimilarity(x, y, 2, 50, 0.5), z), Zoo(new LossDsl.Zoo.MultiSimilarity(), new(inputs), "z"), dtype, "MultiSimilarity");
        Same(Engine(x => TripletMarginFunction.Apply(Ops.Normalize(x), y, 0.2), z), Zoo(new LossDsl.Zoo.TripletMargin(), new(inputs), "z"), dtype, "TripletMargin");
        Same(Engine(x => KernelLosses.RkdDistance(x, t, 25), z),
            Zoo(new LossDsl.Zoo.RkdDistance(), new() { ["student"] = z, ["teacher"] = t }, "student"), dtype, "RkdDistance");
    }

    [Fact]
    public void Property_random_shapes_labels_and_temperatures_float64()
    {
        Gen.Select(Gen.Int[1, 300], Gen.Int[1, 40], Gen.Int[0, 2], Gen.Double[0.05, 1.0], Gen.Int[0, 1000])
            .Sample((n, d, kind, h, seed) =>
            {
                using var scope = NewDisposeScope();
                manual_seed(seed);
                var z = randn(new long[] { n, d }, ScalarType.Float64);
                var y = Labels(new Random(seed), n, kind);
                var inputs = new Dictionary<string, Tensor> { ["z"] = z, ["y"] = y };
                Same(Engine(x => KernelLosses.NtXent(x, y, h), z), Zoo(new LossDsl.Zoo.NtXent { Temperature = h }, new(inputs), "z"), ScalarType.Float64, $"NtXent n={n} d={d} kind={kind} τ={h}");
            }, iter: 25);
    }

    /// <summary>Distance losses: the Euclidean distance is √(‖x‖² + ‖y‖² − 2⟨x, y⟩) (RepDistiller's form, which the zoo
    /// and the engine share), whose gradient at a close pair carries the cancellation error ε·‖x‖²/d²: between
    /// two implementations that sum in different orders it exceeds 1e-9 for d ≲ 1e-3, which normalised embeddings
    /// in 1–3 dimensions reach at N = 300. From 8 dimensions up, 300 random unit vectors are far apart.</summary>
    [Fact]
    public void Property_distance_losses_float64()
    {
        Gen.Select(Gen.Int[1, 300], Gen.Int[8, 40], Gen.Int[0, 2], Gen.Double[0.05, 1.0], Gen.Int[0, 1000])
            .Sample((n, d, kind, h, seed) =>
            {
                using var scope = NewDisposeScope();
                manual_seed(seed);
                var z = randn(new long[] { n, d }, ScalarType.Float64);
                var y = Labels(new Random(seed), n, kind);
                var inputs = new Dictionary<string, Tensor> { ["z"] = z, ["y"] = y };
                Same(Engine(x => KernelLosses.BatchHard(x, y, h), z), Zoo(new LossDsl.Zoo.BatchHardTriplet { Margin = h }, new(inputs), "z"), ScalarType.Float64, $"BatchHard n={n} d={d} kind={kind} m={h}");
                Same(Engine(x => KernelLosses.Contrastive(x, y, h / 4, 1 + h), z), Zoo(new LossDsl.Zoo.Contrastive { PosMargin = h / 4, NegMargin = 1 + h }, new(inputs), "z"), ScalarType.Float64, $"Contrastive n={n} d={d} kind={kind}");
            }, iter: 25);
    }

    [Fact]
    public void Property_random_shapes_float32()
    {
        Gen.Select(Gen.Int[1, 300], Gen.Int[1, 40], Gen.Int[0, 2], Gen.Double[0.05, 1.0], Gen.Int[0, 1000])
            .Sample((n, d, kind, h, seed) =>
            {
                using var scope = NewDisposeScope();
                manual_seed(seed);
                var z = randn(new long[] { n, d }, ScalarType.Float32);
                var y = Labels(new Random(seed), n, kind);
                var inputs = new Dictionary<string, Tensor> { ["z"] = z, ["y"] = y };
                Same(Engine(x => KernelLosses.SupCon(x, y, h), z), Zoo(new LossDsl.Zoo.SupCon { Temperature = h }, new(inputs), "z"), ScalarType.Float32, $"SupCon n={n} d={d} kind={kind} τ={h}");
                Same(Engine(x => KernelLosses.MultiSimilarity(x, y, 2, 50, 0.5), z), Zoo(new LossDsl.Zoo.MultiSimilarity(), new(inputs), "z"), ScalarType.Float32, $"MS n={n} d={d} kind={kind}");
            }, iter: 20);
    }

    [Fact]
    public void Single_class_and_batches_of_one_give_finite_values_and_zero_gradients_for_empty_rows()
    {
        using var scope = NewDisposeScope();
        foreach (var n in new[] { 1, 2, 7 })
        {
            var z = randn(new long[] { n, 5 }, ScalarType.Float64);
            var y = zeros(n, ScalarType.Int64);
            var (value, grad) = Engine(x => KernelLosses.NtXent(x, y, 0.1), z);   // no negatives: lse = −∞, softplus(−∞) = 0
            Assert.True(double.IsFinite(value), $"n={n}: {value}");
            Assert.False(grad.isnan().any().item<bool>());
            var (bh, bhGrad) = Engine(x => KernelLosses.BatchHard(x, y, 0.2), z); // no negatives: min = +∞ → relu(−∞) = 0
            Assert.Equal(0.0, bh);
            Assert.Equal(0.0, bhGrad.abs().sum().item<double>());
        }
    }

    [Fact]
    public void A_NaN_input_gives_a_NaN_loss()
    {
        using var scope = NewDisposeScope();
        var z = randn(new long[] { 20, 6 }, ScalarType.Float64);
        var y = tensor(RandomLabels(new Random(5), 20), ScalarType.Int64);
        z[3, 2] = tensor(double.NaN);
        Assert.True(double.IsNaN(KernelLosses.NtXent(z, y, 0.1).item<double>()));
        // SupCon's engine rows are NaN; its final AvgNonZero (Ops.MeanNonZero, as the zoo) keeps only rows > 0, so
        // it drops NaN rows: checked here at the engine's output.
        var lse = PairFunction<LossDsl.Runtime.Kernels.Formulas.SupConDenominator, ExcludeSelf<AllPairs>, LogSumExpReduce>.Apply(
            new(0.1), default, PairOutput.Rows, Ops.Normalize(z), null, PairMetric.Dot);
        Assert.True(lse.isnan().all().item<bool>());
        Assert.True(double.IsNaN(KernelLosses.BatchHard(z, y, 0.2).item<double>()));
        Assert.True(double.IsNaN(KernelLosses.MultiSimilarity(z, y, 2, 50, 0.5).item<double>()));
        var zf = z.to_type(ScalarType.Float32);
        Assert.True(double.IsNaN(KernelLosses.NtXent(zf, y, 0.1).item<float>()));
    }
}
