using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Cli;
using LossDsl.Runtime;
using LossDsl.Tests.Oracle;
using LossDsl.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Reliability;

/// <summary>Issue 9's inputs (items 1–7 and 9), each holding the right value (or the documented error) in float32
/// and float64, fused, unfused and interpreted. The mechanisms are tested by kind elsewhere
/// (<see cref="NumericKindsTests"/>, <see cref="InputMatrixTests"/>); these are the reported cases themselves.</summary>
public sealed class IssueInputsTests
{
    public static TheoryData<ScalarType, EvaluationPath> Paths()
    {
        var data = new TheoryData<ScalarType, EvaluationPath>();
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
            foreach (var path in Enum.GetValues<EvaluationPath>())
                data.Add(dtype, path);
        return data;
    }

    internal static Tensor Rows(ScalarType dtype, double[,] values) =>
        tensor(values, ScalarType.Float64).to(dtype).requires_grad_(true);

    internal static Tensor Labels(params long[] values) => tensor(values);

    /// <summary>float32 results agree with exact arithmetic to this (relative) tolerance, float64 to 1e-12.</summary>
    internal static double Tol(ScalarType dtype) => dtype == ScalarType.Float32 ? 2e-6 : 1e-12;

    internal static (double Value, Tensor Grad) Run(ILoss loss, EvaluationPath path, params (string Name, Tensor Value)[] inputs)
    {
        using var result = LossPaths.Compute(loss, path)(inputs.ToDictionary(i => i.Name, i => i.Value));
        result.Total.backward();
        var first = inputs[0].Value;
        return (result.Total.to(ScalarType.Float64).item<double>(), first.grad is null ? zeros(0) : first.grad.to(ScalarType.Float64).detach().clone());
    }

    // ---- 1. A mean over non-zero terms depends on rounding ------------------------------------------------------

    [Theory]
    [MemberData(nameof(Paths))]
    public void Item1_SupCon_counts_anchors_by_structure_not_by_rounded_values(ScalarType dtype, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var points = new double[,] { { 1, 0 }, { 1, 0.001 }, { -1, 0 }, { -1, 0.001 }, { 0, 1 }, { 0, -1 } };
        var y = Labels(0, 0, 1, 1, 2, 2);
        foreach (var make in new Func<ILoss>[] { () => new SupCon { Temperature = 0.05 }, () => new SupConPml { Temperature = 0.05 } })
        {
            var (value, grad) = Run(make(), path, ("z", Rows(dtype, points)), ("y", y));
            // The exact value (float64 gives it; float32 gave 21.3863 with gradients 3× too large).
            Assert.True(Tolerance.RelativeError(value, 7.128781456332464) <= Tol(dtype), $"{make().Name}: {value}");
            var (_, exactGrad) = Run(make(), EvaluationPath.Unfused, ("z", Rows(ScalarType.Float64, points)), ("y", y));
            var error = (grad - exactGrad).abs().max().item<double>() / exactGrad.abs().max().item<double>();
            Assert.True(error <= (dtype == ScalarType.Float32 ? 1e-4 : 1e-12), $"{make().Name}: gradient off by {error:E2} of its largest entry");
        }
    }

    // ---- 2. Distances of coincident points are not 0 ------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Paths))]
    public void Item2_Contrastive_sees_identical_embeddings_at_distance_zero(ScalarType dtype, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var z = Rows(dtype, new double[,] { { 1, 0 }, { 1, 0 }, { 0, 1 }, { 0.6, 0.8 } });
        var (value, grad) = Run(new Contrastive(), path, ("z", z), ("y", Labels(0, 0, 1, 1)));
        // √0.4 over the one non-zero positive pair (both orders) + (1 − √0.8) over the four non-zero negative pairs.
        var expected = Math.Sqrt(0.4) + (1 - Math.Sqrt(0.8));
        Assert.True(Tolerance.RelativeError(value, expected) <= Tol(dtype), $"{value} (expected {expected}; the 1e-12 floor gave 0.421801)");
        Assert.False(grad.isnan().any().item<bool>() || grad.isinf().any().item<bool>(), "non-finite gradient");
    }

    // ---- 3. Epsilons that vanish in half precision --------------------------------------------------------------

    [Theory]
    [InlineData(ScalarType.Float16, false)]
    [InlineData(ScalarType.Float16, true)]
    [InlineData(ScalarType.BFloat16, false)]
    [InlineData(ScalarType.BFloat16, true)]
    public void Item3_half_precision_is_computed_in_float32_with_finite_gradients(ScalarType dtype, bool fused)
    {
        using var scope = NewDisposeScope();
        var points = new double[,] { { 0.6, 0.8 }, { 1, 0 }, { 0, 1 } };
        // Every Euclidean loss (the gradient of Pairwise(x, Euclidean) was all NaN in float16): triplets, contrastive, RKD.
        foreach (var loss in new ILoss[] { new TripletMargin(), new Contrastive(), new BatchHardTriplet() })
        {
            var z = Rows(dtype, points);
            LossPaths.UseFused(loss, fused);
            using var result = loss.Compute(new Dictionary<string, Tensor> { ["z"] = z, ["y"] = Labels(0, 0, 1) });
            result.Total.backward();
            Assert.Equal(ScalarType.Float32, result.Total.dtype);
            Assert.Equal(dtype, z.grad!.dtype);
            Assert.False(z.grad.isnan().any().item<bool>(), $"{loss.Name}: NaN gradient in {dtype}");
            // The value is float32's on the half-rounded inputs.
            using var reference = loss.Compute(new Dictionary<string, Tensor> { ["z"] = z.detach().to(ScalarType.Float32), ["y"] = Labels(0, 0, 1) });
            Assert.Equal(reference.Total.item<float>(), result.Total.item<float>());
        }
        var s = Rows(dtype, points);
        using (var rkd = new RkdDistance { UseFusedKernels = fused, MinimumFusedPairs = 0 }.Compute(s, s.detach() * 3 + 1))
        {
            rkd.Total.backward();
            Assert.False(s.grad!.isnan().any().item<bool>(), "RKD: NaN gradient");
        }

        // Normalize of a zero row was NaN in float16 (SupCon then gave 0 with NaN gradients).
        var withZero = Rows(dtype, new double[,] { { 1, 0 }, { 0.6, 0.8 }, { 0, 1 }, { 0, 0 } });
        using var supcon = new SupCon { UseFusedKernels = fused, MinimumFusedPairs = 0 }.Compute(withZero, Labels(0, 0, 1, 1));
        supcon.Total.backward();
        Assert.True(double.IsFinite(supcon.Total.item<float>()) && supcon.Total.item<float>() > 0, $"{supcon.Total.item<float>()}");
        Assert.False(withZero.grad!.isnan().any().item<bool>(), "SupCon: NaN gradient");
        Assert.Equal(0.0, withZero.grad[3].abs().sum().to(ScalarType.Float64).item<double>()); // a zero row has zero subgradient
    }

    // ---- 4. NaN inputs hidden in the loss value -----------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Paths))]
    public void Item4_a_NaN_input_never_gives_a_finite_loss(ScalarType dtype, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var points = new double[,] { { double.NaN, 0, 0 }, { 1, 0, 0 }, { 0, 1, 0 }, { 1, 1, 0 } };
        foreach (var loss in new ILoss[] { new MultiSimilarity(), new SupCon() })
        {
            var (value, _) = Run(loss, path, ("z", Rows(dtype, points)), ("y", Labels(0, 0, 1, 1)));
            Assert.True(double.IsNaN(value), $"{loss.Name} ({path}) = {value} on a NaN input (fused MultiSimilarity gave 0.178611, SupCon 0)");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Item4_with_NonFiniteInputs_Throw_the_input_is_named(ScalarType dtype, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var z = Rows(dtype, new double[,] { { double.NaN, 0, 0 }, { 1, 0, 0 }, { 0, 1, 0 }, { 1, 1, 0 } });
        var loss = new MultiSimilarity { NonFiniteInputs = NonFiniteInputs.Throw };
        var inputs = new Dictionary<string, Tensor> { ["z"] = z, ["y"] = Labels(0, 0, 1, 1) };
        var error = Assert.Throws<LossInputException>(() => path == EvaluationPath.Interpreted
            ? IrInterpreter.Evaluate(loss.Trace(), inputs, lossName: loss.Name, nonFinite: NonFiniteInputs.Throw)
            : LossPaths.Compute(loss, path)(inputs));
        Assert.Equal(("MultiSimilarity", "Positive", "z"), (error.Loss, error.Term, error.Input));
        Assert.Equal("NaN at [0, 0]", error.Actual);
        Assert.StartsWith("MultiSimilarity: term 'Positive', input 'z' (Embeddings): expected finite values in shape [N, D_z] = [4, 3], got NaN at index [0, 0].", error.Message);
    }

    // ---- 5. NaN gradient through a masked class -----------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Paths))]
    public void Item5_HintonKd_passes_no_NaN_through_a_masked_class(ScalarType dtype, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        const double T = 2;
        var student = Rows(dtype, new double[,] { { 0.5, double.NegativeInfinity, 0.2 } });
        var teacher = Rows(dtype, new double[,] { { 0, double.NegativeInfinity, 1 } });
        using var result = LossPaths.Compute(new HintonKd { T = T }, path)(new Dictionary<string, Tensor> { ["student"] = student, ["teacher"] = teacher });
        result.Total.backward();

        // Closed form over the two finite classes: p = softmax(t/T), q = softmax(s/T), KL = Σ p log(p/q);
        // ∂(T²·KL)/∂t_k = T·p_k·(log(p_k/q_k) − KL), ∂/∂s_k = T·(q_k − p_k); the masked class gets 0.
        double[] Softmax(double a, double b) { var m = Math.Max(a, b); var ea = Math.Exp((a - m) / T); var eb = Math.Exp((b - m) / T); return new[] { ea / (ea + eb), eb / (ea + eb) }; }
        var p = Softmax(0, 1);
        var q = Softmax(0.5, 0.2);
        var kl = p[0] * Math.Log(p[0] / q[0]) + p[1] * Math.Log(p[1] / q[1]);
        var expectedTeacher = new[] { T * p[0] * (Math.Log(p[0] / q[0]) - kl), 0, T * p[1] * (Math.Log(p[1] / q[1]) - kl) };
        var expectedStudent = new[] { T * (q[0] - p[0]), 0, T * (q[1] - p[1]) };

        Assert.True(Tolerance.RelativeError(result.Total.to(ScalarType.Float64).item<double>(), T * T * kl) <= Tol(dtype));
        var teacherGrad = teacher.grad!.to(ScalarType.Float64).data<double>().ToArray();
        var studentGrad = student.grad!.to(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(-0.3055, teacherGrad[0], 4); // the issue's expected [−0.3055, 0, 0.3055]
        for (var k = 0; k < 3; k++)
        {
            Assert.True(Math.Abs(teacherGrad[k] - expectedTeacher[k]) <= 10 * Tol(dtype), $"teacher grad[{k}] = {teacherGrad[k]}, expected {expectedTeacher[k]}");
            Assert.True(Math.Abs(studentGrad[k] - expectedStudent[k]) <= 10 * Tol(dtype), $"student grad[{k}] = {studentGrad[k]}, expected {expectedStudent[k]}");
        }
    }

    // ---- 6. Extreme magnitudes ----------------------------------------------------------------------------------

    [Theory]
    [InlineData(1e20, EvaluationPath.Fused)]
    [InlineData(1e20, EvaluationPath.Unfused)]
    [InlineData(1e20, EvaluationPath.Interpreted)]
    [InlineData(1e-25, EvaluationPath.Fused)]
    [InlineData(1e-25, EvaluationPath.Unfused)]
    [InlineData(1e-25, EvaluationPath.Interpreted)]
    [InlineData(3e38, EvaluationPath.Unfused)]
    [InlineData(1e-35, EvaluationPath.Unfused)]
    public void Item6_cosine_losses_are_scale_invariant_over_the_whole_float32_range(double scale, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var points = new double[,] { { 1, 0.2, -0.3 }, { 0.6, 0.8, 0.1 }, { 0, 1, 0.5 }, { -1, 0.3, 0.2 }, { 0.2, -0.4, 1 } };
        var y = Labels(0, 0, 1, 1, 2);
        foreach (var make in new Func<ILoss>[] { () => new NtXent(), () => new SupCon(), () => new MultiSimilarity(), () => new SupConKhosla() })
        {
            var (reference, referenceGrad) = Run(make(), path, ("z", Rows(ScalarType.Float32, points)), ("y", y));
            var scaled = (tensor(points, ScalarType.Float64) * scale).to(ScalarType.Float32).requires_grad_(true);
            Assert.False(scaled.isinf().any().item<bool>());
            var (value, grad) = Run(make(), path, ("z", scaled), ("y", y));
            Assert.True(Tolerance.RelativeError(value, reference) <= 1e-5, $"{make().Name} at ‖z‖ ~ {scale}: {value} vs {reference}");
            // The gradient scales as 1/scale (compare scale · grad, in float64).
            var rescaled = grad * scale;
            var error = (rescaled - referenceGrad).abs().max().item<double>() / referenceGrad.abs().max().item<double>();
            Assert.True(error <= 1e-4, $"{make().Name} at ‖z‖ ~ {scale}: gradient off by {error:E2}");
        }
    }

    // ---- 7. Semantics vs documentation --------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Paths))]
    public void Item7_each_SupCon_follows_the_semantics_its_doc_names_on_a_single_class_batch(ScalarType dtype, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var points = new double[,] { { 1, 0 }, { .6, .8 }, { 0, 1 } };
        var y = Labels(0, 0, 0);
        // SupConPml: PML's guard, 0 (and no gradient) when the batch has no negative pair.
        var (pml, pmlGrad) = Run(new SupConPml { Temperature = 0.1 }, path, ("z", Rows(dtype, points)), ("y", y));
        Assert.Equal(0.0, pml);
        Assert.Equal(0.0, pmlGrad.abs().sum().item<double>());
        // SupConKhosla (τ_base = τ) and SupCon (documented: PML's average without its guard) give Khosla's value.
        var (khosla, _) = Run(new SupConKhosla { Temperature = 0.1, BaseTemperature = 0.1 }, path, ("z", Rows(dtype, points)), ("y", y));
        Assert.True(Tolerance.RelativeError(khosla, 2.7099130341845328) <= Tol(dtype), $"{khosla}");
        var (supcon, _) = Run(new SupCon { Temperature = 0.1 }, path, ("z", Rows(dtype, points)), ("y", y));
        Assert.True(Tolerance.RelativeError(supcon, 2.7099130341845328) <= Tol(dtype), $"{supcon}");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Item7_the_SupCons_differ_only_in_which_anchors_they_average(ScalarType dtype, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        // Anchor 4 is alone in its class: SupCon and SupConPml average over the 4 anchors with a positive, Khosla over all
        // 5 (anchor 4 adds 0).
        var points = new double[,] { { 1, 0.2 }, { 0.6, 0.8 }, { 0, 1 }, { -1, 0.3 }, { 0.3, -1 } };
        var y = Labels(0, 0, 1, 1, 2);
        var (supcon, _) = Run(new SupCon { Temperature = 0.1 }, path, ("z", Rows(dtype, points)), ("y", y));
        var (pml, _) = Run(new SupConPml { Temperature = 0.1 }, path, ("z", Rows(dtype, points)), ("y", y));
        var (khosla, _) = Run(new SupConKhosla { Temperature = 0.1, BaseTemperature = 0.1 }, path, ("z", Rows(dtype, points)), ("y", y));
        Assert.Equal(supcon, pml);
        Assert.True(Tolerance.RelativeError(khosla, pml * 4 / 5) <= 10 * Tol(dtype), $"Khosla {khosla}, PML {pml}");
        var (scaled, _) = Run(new SupConKhosla { Temperature = 0.1, BaseTemperature = 0.07 }, path, ("z", Rows(dtype, points)), ("y", y));
        Assert.True(Tolerance.RelativeError(scaled, khosla * 0.1 / 0.07) <= 10 * Tol(dtype), "τ / τ_base scaling");
    }

    // ---- 9. Run-time policies -----------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Paths))]
    public void Item9_an_empty_batch_is_refused_naming_loss_term_and_input(ScalarType dtype, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var cases = new (ILoss Loss, string Term, string Input, Dictionary<string, Tensor> Inputs)[]
        {
            (new NtXent(), "Contrast", "z", new() { ["z"] = zeros(0, 3, dtype), ["y"] = zeros(0, ScalarType.Int64) }),
            (new SupCon(), "Contrast", "z", new() { ["z"] = zeros(0, 3, dtype), ["y"] = zeros(0, ScalarType.Int64) }),
            (new MultiSimilarity(), "Positive", "z", new() { ["z"] = zeros(0, 3, dtype), ["y"] = zeros(0, ScalarType.Int64) }),
            (new BatchHardTriplet(), "Triplet", "z", new() { ["z"] = zeros(0, 3, dtype), ["y"] = zeros(0, ScalarType.Int64) }),
            (new HintonKd(), "Kd", "student", new() { ["student"] = zeros(0, 5, dtype), ["teacher"] = zeros(0, 5, dtype) }),
            (new RkdDistance(), "Rkd", "student", new() { ["student"] = zeros(0, 3, dtype), ["teacher"] = zeros(0, 4, dtype) }),
            (new DpoSigmoid(), "Preference", "chosen", new() { ["chosen"] = zeros(0, dtype), ["rejected"] = zeros(0, dtype), ["refChosen"] = zeros(0, dtype), ["refRejected"] = zeros(0, dtype) }),
        };
        foreach (var (loss, term, input, inputs) in cases)
        {
            var error = Assert.Throws<LossInputException>(() => LossPaths.Compute(loss, path)(inputs));
            Assert.Equal((loss.Name, term, input, "N ≥ 1", "N = 0"), (error.Loss, error.Term, error.Input, error.Expected, error.Actual));
            Assert.Contains("expected a non-empty batch (N ≥ 1)", error.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Item9_temperatures_that_are_not_positive_finite_numbers_are_refused_naming_loss_hyper_and_value(ScalarType dtype, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var z = Rows(dtype, new double[,] { { 1, 0 }, { .6, .8 }, { 0, 1 }, { -1, 0 } });
        var inputs = new Dictionary<string, Tensor> { ["z"] = z, ["y"] = Labels(0, 0, 1, 1) };
        foreach (var (value, shown) in new[] { (0.0, "0"), (-1.0, "-1"), (double.NaN, "NaN"), (double.PositiveInfinity, "Infinity") })
        {
            var loss = new NtXent { Temperature = value };
            var error = Assert.Throws<LossHyperException>(() => LossPaths.Compute(loss, path)(inputs));
            Assert.Equal(("NtXent", "Temperature"), (error.Loss, error.Hyper));
            Assert.Equal($"NtXent: hyper-parameter 'Temperature' is a temperature and must be a positive finite number, got {shown}.", error.Message);
        }
        // A NaN in any hyper-parameter is refused too.
        var nan = Assert.Throws<LossHyperException>(() => LossPaths.Compute(new Contrastive { NegMargin = double.NaN }, path)(inputs));
        Assert.Equal("Contrastive: hyper-parameter 'NegMargin' is NaN; give it a number.", nan.Message);
    }
}
