using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Cli;
using LossDsl.Ir;
using LossDsl.Runtime;
using LossDsl.Tests.Equality;
using LossDsl.Tests.Oracle;
using LossDsl.Tests.Runtime;
using LossDsl.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Reliability;

/// <summary>The run-time input matrix of issue 9: each bad input is refused with a <see cref="LossInputException"/> whose
/// message names the loss, the term, the input, what was expected and what was given, on every path; a failed
/// <c>Compute</c> leaves no tensor alive and the next call gives the right value. Inputs that are unusual but valid (one
/// class, all labels distinct, half precision, views) give the value their ordinary form gives.</summary>
public sealed class InputMatrixTests
{
    private static long LiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    public static TheoryData<EvaluationPath> Paths() => new() { EvaluationPath.Fused, EvaluationPath.Unfused, EvaluationPath.Interpreted };

    private static Dictionary<string, Tensor> Good(long n = 6) => new()
    {
        ["z"] = TestData.Randn(1, n, 4),
        ["y"] = arange(n, ScalarType.Int64) % 3,
    };

    /// <summary>Calls the loss with <paramref name="bad"/> (made inside the measured region), asserts the error names
    /// loss, term, input, expected and actual, that no tensor outlives the call, and that the next call equals a call
    /// made before.</summary>
    private static LossInputException Refused(ILoss loss, EvaluationPath path, Func<Dictionary<string, Tensor>> bad,
        string term, string input, string expected, string actual, Func<Dictionary<string, Tensor>>? good = null)
    {
        var compute = LossPaths.Compute(loss, path);
        good ??= () => Good();
        double before;
        using (var first = compute(good())) before = first.Total.item<double>();

        var live = LiveTensors;
        LossInputException error;
        using (var scope = NewDisposeScope())
        {
            var inputs = bad();
            var liveWithInputs = LiveTensors;
            error = Assert.Throws<LossInputException>(() => compute(inputs));
            Assert.Equal(liveWithInputs, LiveTensors); // the failed call left nothing behind
        }
        Assert.Equal(live, LiveTensors);

        Assert.Equal((loss.Name, term, input), (error.Loss, error.Term, error.Input));
        Assert.Equal(expected, error.Expected);
        Assert.Equal(actual, error.Actual);
        Assert.StartsWith($"{loss.Name}: term '{term}', input '{input}' (", error.Message);
        Assert.Contains(expected.Split(' ')[0], error.Message);

        using var next = compute(good());
        Assert.Equal(before, next.Total.item<double>());
        return error;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Wrong_rank(EvaluationPath path)
    {
        var e = Refused(new NtXent(), path, () => new() { ["z"] = TestData.Randn(2, 6), ["y"] = arange(6, ScalarType.Int64) % 3 },
            "Contrast", "z", "[N, D_z]", "[6]");
        Assert.Contains("The input must have rank 2, not 1.", e.Message);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Batch_sizes_that_disagree(EvaluationPath path)
    {
        var e = Refused(new SupCon(), path, () => new() { ["z"] = TestData.Randn(2, 6, 4), ["y"] = arange(5, ScalarType.Int64) % 3 },
            "Contrast", "y", "[N] = [6]", "[5]");
        Assert.Contains("N = 6 comes from input 'z' (all inputs share the batch dimension N).", e.Message);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Feature_dimensions_that_disagree(EvaluationPath path)
    {
        var e = Refused(new HintonKd(), path, () => new() { ["student"] = TestData.Randn(2, 6, 5), ["teacher"] = TestData.Randn(3, 6, 7) },
            "Kd", "teacher", "[N, C_student] = [6, 5]", "[6, 7]",
            good: () => new() { ["student"] = TestData.Randn(4, 6, 5), ["teacher"] = TestData.Randn(5, 6, 5) });
        Assert.Contains("C_student = 5 comes from input 'student'", e.Message);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Float_labels(EvaluationPath path)
    {
        var e = Refused(new NtXent(), path, () => new() { ["z"] = TestData.Randn(2, 6, 4), ["y"] = (arange(6, ScalarType.Int64) % 3).to(ScalarType.Float32) },
            "Contrast", "y", "Int64 or Int32", "Float32");
        Assert.Contains("Labels are integer indices.", e.Message);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Labels_out_of_range(EvaluationPath path)
    {
        var loss = new ArcFace();
        var e = Refused(loss, path, () => new()
            {
                ["z"] = TestData.Randn(2, 6, 4), ["y"] = tensor(new long[] { 0, 1, 2, 7, 1, 0 }), ["W"] = TestData.Randn(3, 4, 5),
            },
            "Classes", "y", "[0, C) = [0, 5)", "7 at index 3",
            good: () => new() { ["z"] = TestData.Randn(4, 6, 4), ["y"] = arange(6, ScalarType.Int64) % 5, ["W"] = TestData.Randn(5, 4, 5) });
        Assert.Contains("C = 5 comes from input 'W'", e.Message);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Mixed_floating_point_dtypes(EvaluationPath path)
    {
        var e = Refused(new RkdDistance(), path, () => new() { ["student"] = TestData.Randn(2, 6, 4).to(ScalarType.Float32), ["teacher"] = TestData.Randn(3, 6, 5) },
            "Rkd", "teacher", "Float32", "Float64",
            good: () => new() { ["student"] = TestData.Randn(4, 6, 4), ["teacher"] = TestData.Randn(5, 6, 5) });
        Assert.Contains("(the dtype of input 'student')", e.Message);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Inputs_on_different_devices(EvaluationPath path)
    {
        // CPU only here: the meta device (shapes without data) exercises the same check and message.
        var e = Refused(new NtXent(), path, () => new() { ["z"] = TestData.Randn(2, 6, 4), ["y"] = empty(6, ScalarType.Int64, new Device(DeviceType.META)) },
            "Contrast", "y", "device cpu", "meta");
        Assert.Contains("where input 'z' is", e.Message);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void An_empty_batch(EvaluationPath path)
    {
        var e = Refused(new NtXent(), path, () => new() { ["z"] = zeros(0, 4, ScalarType.Float64), ["y"] = zeros(0, ScalarType.Int64) },
            "Contrast", "z", "N ≥ 1", "N = 0");
        Assert.Contains("An empty batch has no loss", e.Message);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_non_finite_input_under_Throw(EvaluationPath path)
    {
        var loss = new NtXent { NonFiniteInputs = NonFiniteInputs.Throw };
        var compute = path == EvaluationPath.Interpreted
            ? (Func<Dictionary<string, Tensor>, LossResult>)(i => IrInterpreter.Evaluate(loss.Trace(), i, lossName: loss.Name, nonFinite: NonFiniteInputs.Throw))
            : i => LossPaths.Compute(loss, path)(i);
        var values = new double[6, 4];
        for (var i = 0; i < 6; i++) for (var j = 0; j < 4; j++) values[i, j] = i == 2 && j == 1 ? double.PositiveInfinity : Math.Sin(i + 3 * j);
        var z = tensor(values, ScalarType.Float64);
        var e = Assert.Throws<LossInputException>(() => compute(new() { ["z"] = z, ["y"] = arange(6, ScalarType.Int64) % 3 }));
        Assert.Equal(("NtXent", "Contrast", "z", "finite values", "+∞ at [2, 1]"), (e.Loss, e.Term, e.Input, e.Expected, e.Actual));
    }

    /// <summary>Every zoo loss refuses an empty batch, naming the input that bound the batch dimension, on every path
    /// (one policy: fused and unfused agree).</summary>
    [Theory]
    [MemberData(nameof(ZooPaths))]
    public void Every_zoo_loss_refuses_an_empty_batch(string name, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var loss = SmallBatchTests.ZooLosses().Single(l => l.Name == name);
        var ir = loss.Trace();
        var plan = TypeInference.Infer(ir).Plan;
        var batch = InputValidator.BatchSymbol(plan)!;
        var inputs = RandomInputs.For(ir, seed: 2, batch: 3);
        // Cut the batch axis of every input that has it to 0.
        foreach (var check in plan.Inputs)
        {
            var axis = check.Dims.ToList().IndexOf(batch);
            if (axis >= 0) inputs[check.Input] = inputs[check.Input].narrow(axis, 0, 0);
        }
        if (loss.GetType().GetCustomAttributes(typeof(LossAttribute), false).Cast<LossAttribute>().Single().AllowEmptyBatch)
        {
            // The declared exception (unlearning losses: a retain-only step): a finite value on the generated paths.
            if (path == EvaluationPath.Interpreted) return;
            using var result = LossPaths.Compute(loss, path)(inputs);
            Assert.True(double.IsFinite(result.Total.item<double>()), $"{name} with N = 0: {result.Total.item<double>()}");
            return;
        }
        var e = Assert.Throws<LossInputException>(() => LossPaths.Compute(loss, path)(inputs));
        Assert.Equal($"{batch} ≥ 1", e.Expected);
        Assert.Equal($"{batch} = 0", e.Actual);
        Assert.StartsWith($"{loss.Name}: term '", e.Message);
    }

    public static TheoryData<string, EvaluationPath> ZooPaths() => SmallBatchTests.Losses();

    /// <summary>Unusual but valid batches: one class, every label distinct, half precision, transposed and strided
    /// views. Each gives what its ordinary form gives (fused = unfused = interpreted), with NaN-free gradients.</summary>
    [Theory]
    [MemberData(nameof(ZooPaths))]
    public void Unusual_valid_inputs_give_the_value_of_their_ordinary_form(string name, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var loss = SmallBatchTests.ZooLosses().Single(l => l.Name == name);
        var ir = loss.Trace();
        var plan = TypeInference.Infer(ir).Plan;
        var ranged = new HashSet<string>(plan.Ranges.Select(r => r.Input));
        var labels = plan.Inputs.Where(i => OpCatalog.IsInteger(i.Kind)).Select(i => i.Input).ToList();

        // One class: every label 0 (always in range).
        var oneClass = RandomInputs.For(ir, seed: 5, batch: 5);
        foreach (var l in labels) oneClass[l] = zeros_like(oneClass[l]);
        ExpectFiniteAndAgreeing(loss, path, oneClass);

        // All distinct: labels 0..N−1 where nothing bounds them.
        if (labels.Count > 0 && labels.All(l => !ranged.Contains(l)))
        {
            var distinct = RandomInputs.For(ir, seed: 6, batch: 5);
            foreach (var l in labels) distinct[l] = arange(distinct[l].numel(), ScalarType.Int64).reshape(distinct[l].shape);
            ExpectFiniteAndAgreeing(loss, path, distinct);
        }

        // Transposed and strided views: the same values as contiguous copies.
        var plain = RandomInputs.For(ir, seed: 7, batch: 5);
        var views = plain.ToDictionary(p => p.Key, p => View(p.Value));
        var fromViews = Value(loss, path, views);
        var fromCopies = Value(loss, path, plain.ToDictionary(p => p.Key, p => p.Value.detach().clone().requires_grad_(p.Value.requires_grad)));
        Assert.True(SameValue(fromViews, fromCopies), $"{name} ({path}): views give {fromViews}, copies {fromCopies}");

        // Half precision: computed in float32, the value float32 gives on the rounded inputs.
        foreach (var half in new[] { ScalarType.Float16, ScalarType.BFloat16 })
        {
            var inputs = RandomInputs.For(ir, seed: 8, batch: 5, dtype: ScalarType.Float32);
            var halves = inputs.ToDictionary(p => p.Key, p => p.Value.is_floating_point() ? p.Value.detach().to(half).requires_grad_(true) : p.Value);
            var rounded = halves.ToDictionary(p => p.Key, p => p.Value.is_floating_point() ? p.Value.detach().to(ScalarType.Float32) : p.Value);
            using var result = LossPaths.Compute(loss, path)(halves);
            Assert.Equal(ScalarType.Float32, result.Total.dtype);
            result.Total.backward();
            foreach (var p in halves.Where(p => p.Value.is_floating_point() && p.Value.grad is not null))
                Assert.Equal(half, p.Value.grad!.dtype);
            var expected = Value(loss, path, rounded);
            Assert.True(SameValue(result.Total.item<float>(), expected, 1e-6), $"{name} ({path}) in {half}: {result.Total.item<float>()} vs {expected}");
        }
    }

    /// <summary>The same values through a non-contiguous view: a transposed copy transposed back, or every other entry
    /// of a tensor twice as long.</summary>
    private static Tensor View(Tensor t)
    {
        if (t.dim() == 0) return t;
        Tensor view;
        if (t.dim() >= 2) view = t.detach().transpose(0, 1).contiguous().transpose(0, 1);
        else view = stack(new[] { t.detach(), t.detach() }, -1).select(-1, 0);
        return t.requires_grad ? view.requires_grad_(true) : view;
    }

    private static double Value(ILoss loss, EvaluationPath path, Dictionary<string, Tensor> inputs)
    {
        using var result = LossPaths.Compute(loss, path)(inputs);
        return result.Total.to(ScalarType.Float64).item<double>();
    }

    private static bool SameValue(double a, double b, double tolerance = 1e-12) =>
        double.IsNaN(a) ? double.IsNaN(b) : Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(b));

    private static void ExpectFiniteAndAgreeing(ILoss loss, EvaluationPath path, Dictionary<string, Tensor> inputs)
    {
        using var result = LossPaths.Compute(loss, path)(inputs);
        result.Total.backward();
        var value = result.Total.item<double>();
        Assert.True(double.IsFinite(value), $"{loss.Name} ({path}) = {value}");
        foreach (var input in inputs.Values.Where(i => i.grad is not null))
            Assert.False(TestData.HasNaN(input.grad!), $"{loss.Name} ({path}): NaN gradient");
        var reference = Value(loss, EvaluationPath.Interpreted, inputs);
        Assert.True(SameValue(value, reference, 1e-10), $"{loss.Name}: {path} {value} vs interpreted {reference}");
    }
}
