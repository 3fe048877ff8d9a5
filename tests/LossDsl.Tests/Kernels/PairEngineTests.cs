using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Tests.Fusion;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Kernels;

/// <summary>The engine against a dense float64 TorchSharp reference with autograd, for every metric, mask and
/// reduction, float32 and float64, a self relation and two operands: row values, counts, arg columns, and the
/// gradients to x, y, the row values and the column values.</summary>
[Collection(EngineSettingsCollection.Name)]
public class PairEngineTests
{
    public static IEnumerable<object[]> Cases()
    {
        var masks = new[] { "all", "same", "different", "same-not-self", "all-not-self", "other-view", "weights" };
        foreach (var metric in Enum.GetValues<PairMetric>())
            foreach (var mask in masks)
                foreach (var reduce in new[] { "sum", "lse", "max", "min" })
                    foreach (var self in new[] { true, false })
                    {
                        if (!self && mask == "other-view") continue;
                        yield return new object[] { metric, mask, reduce, self };
                    }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64_matches_the_dense_reference(PairMetric metric, string mask, string reduce, bool self) =>
        Check(metric, mask, reduce, self, ScalarType.Float64, SimdWidth.Auto);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32_matches_the_dense_reference(PairMetric metric, string mask, string reduce, bool self) =>
        Check(metric, mask, reduce, self, ScalarType.Float32, SimdWidth.Auto);

    [Theory]
    [InlineData(PairMetric.Cosine, "same-not-self", "lse", true, ScalarType.Float32)]
    [InlineData(PairMetric.Euclidean, "different", "min", false, ScalarType.Float64)]
    [InlineData(PairMetric.SqEuclidean, "weights", "sum", true, ScalarType.Float64)]
    [InlineData(PairMetric.Dot, "all", "max", false, ScalarType.Float32)]
    public void The_Vector256_path_matches_too(PairMetric metric, string mask, string reduce, bool self, ScalarType dtype) =>
        Check(metric, mask, reduce, self, dtype, SimdWidth.Vector256);

    internal static void Check(PairMetric metric, string mask, string reduce, bool self, ScalarType dtype, SimdWidth width,
        int n = 37, int m = 29, int d = 13, int classes = 4, int seed = 11)
    {
        var previous = PairEngine.Width;
        PairEngine.Width = width;
        try
        {
            using var c = new EngineCase(seed + (int)metric * 7 + mask.Length + reduce.Length, n, m, d, self, dtype, classes);
            if (dtype == ScalarType.Float32) Run<float>(c, metric, mask, reduce);
            else Run<double>(c, metric, mask, reduce);
        }
        finally
        {
            PairEngine.Width = previous;
        }
    }

    private const double Kappa = 0.7;

    private static void Run<T>(EngineCase c, PairMetric metric, string mask, string reduce) where T : unmanaged
    {
        // The reference, in float64 from the same (possibly float32) values.
        var x = c.X.to_type(ScalarType.Float64).detach().requires_grad_(true);
        var y = c.Self ? x : c.Y.to_type(ScalarType.Float64).detach().requires_grad_(true);
        var v = c.V.to_type(ScalarType.Float64).detach().requires_grad_(true);
        var u = c.U.to_type(ScalarType.Float64).detach().requires_grad_(true);
        var w = mask == "weights" ? c.W.to_type(ScalarType.Float64) : ones(c.N, c.M, ScalarType.Float64);
        var s = DenseReference.Relation(x, y, metric, c.Self);
        var a = Scalars.Sub(Scalars.Add(Scalars.Mul(s, Kappa), v.unsqueeze(1)), u.unsqueeze(0));
        // softplus as relu(a) + log1p(e^{−|a|}): torch's softplus is linear above a = 20 (error ~2e-9), too coarse for 1e-9.
        var f = Scalars.Mul(w, Scalars.Add(a.relu(), a.abs().neg().exp().log1p()));
        var keep = DenseReference.Mask(mask, c);
        Tensor outRef;
        Tensor? argRef = null;
        switch (reduce)
        {
            case "sum": outRef = Scalars.Fill(f, keep.logical_not(), 0).sum(1); break;
            case "lse": outRef = Scalars.Fill(f, keep.logical_not(), double.NegativeInfinity).logsumexp(1); break;
            case "max": { var (values, idx) = Scalars.Fill(f, keep.logical_not(), double.NegativeInfinity).max(1); outRef = values; argRef = idx; break; }
            default: { var (values, idx) = Scalars.Fill(f, keep.logical_not(), double.PositiveInfinity).min(1); outRef = values; argRef = idx; break; }
        }
        var finite = outRef.detach().isfinite();
        var g = Scalars.Fill(c.G, finite.logical_not(), 0);
        Scalars.Mul(Scalars.Fill(outRef, finite.logical_not(), 0), g).sum().backward();

        // The engine.
        var xs = EngineCase.Data<T>(c.X);
        var ys = EngineCase.Data<T>(c.Y);
        var ops = c.Self ? PairOperands<T>.SelfRelation(xs, c.N, c.D, metric) : PairOperands<T>.Cross(xs, c.N, ys, c.M, c.D, metric);
        ops.RowLabels = EngineCase.Data<long>(c.LabelsRow);
        ops.ColumnLabels = c.Self ? default : EngineCase.Data<long>(c.LabelsCol);
        ops.R0 = EngineCase.Data<T>(c.V);
        ops.C0 = EngineCase.Data<T>(c.U);
        if (mask == "weights") ops.Weights = EngineCase.Data<T>(c.W);
        var value = new double[c.N];
        var count = new long[c.N];
        var nonzero = new long[c.N];
        var arg = new int[c.N];
        var dx = new T[c.N * c.D];
        var dy = c.Self ? Array.Empty<T>() : new T[c.M * c.D];
        var dv = new T[c.N];
        var du = new T[c.M];
        var rows = new PairRows { Value = value, Count = count, NonZero = nonzero, Arg = arg };
        var grads = new PairGradients<T> { DX = dx, DY = dy, DR0 = dv, DC0 = du };
        var weight = EngineCase.Data<double>(g);
        var formula = new ProbeFormula(Kappa);
        switch (mask)
        {
            case "all": Both<T, AllPairs>(ops, formula, default, reduce, rows, weight, grads); break;
            case "same": Both<T, SameLabel>(ops, formula, default, reduce, rows, weight, grads); break;
            case "different": Both<T, DifferentLabel>(ops, formula, default, reduce, rows, weight, grads); break;
            case "same-not-self": Both<T, ExcludeSelf<SameLabel>>(ops, formula, default, reduce, rows, weight, grads); break;
            case "all-not-self": Both<T, ExcludeSelf<AllPairs>>(ops, formula, default, reduce, rows, weight, grads); break;
            case "other-view": Both<T, OtherView>(ops, formula, new OtherView(c.N), reduce, rows, weight, grads); break;
            default: Both<T, WeightMatrix>(ops, formula, default, reduce, rows, weight, grads); break;
        }

        var tol = FusionNumerics.Tolerance(c.Dtype);
        var context = $"{metric} {mask} {reduce} self={c.Self} {c.Dtype} {PairEngine.Width}";
        Assert.True(Within(tensor(value), outRef.detach(), tol, $"{context}: values"));
        if (reduce == "sum")
        {
            Assert.Equal(EngineCase.Data<long>(keep.sum(new long[] { 1 })), count);
            Assert.Equal(EngineCase.Data<long>(keep.logical_and(f.detach().gt(zeros_like(f))).sum(new long[] { 1 })), nonzero);
        }
        if (argRef is not null)
        {
            var expected = EngineCase.Data<long>(argRef);
            var fin = EngineCase.Data<bool>(finite);
            for (var i = 0; i < c.N; i++) Assert.Equal(fin[i] ? (int)expected[i] : -1, arg[i]);
        }
        Assert.True(Within(Tensor(dx, c.N, c.D), x.grad!, tol, $"{context}: dx"));
        if (!c.Self) Assert.True(Within(Tensor(dy, c.M, c.D), y.grad!, tol, $"{context}: dy"));
        Assert.True(Within(Tensor(dv, c.N), v.grad!, tol, $"{context}: dv"));
        Assert.True(Within(Tensor(du, c.M), u.grad!, tol, $"{context}: du"));
    }

    internal static bool Within(Tensor actual, Tensor expected, double tol, string what)
    {
        var error = FusionNumerics.RelativeError(actual, expected);
        Assert.True(error <= tol, $"{what}: relative error {error:E2} > {tol:E0}");
        return true;
    }

    private static Tensor Tensor<T>(T[] values, params long[] shape) where T : unmanaged =>
        typeof(T) == typeof(float) ? tensor((float[])(object)values, shape) : tensor((double[])(object)values, shape);

    private static void Both<T, TM>(PairOperands<T> ops, ProbeFormula f, TM mask, string reduce, PairRows rows, double[] weight, PairGradients<T> grads)
        where T : unmanaged where TM : struct, IPairMask
    {
        switch (reduce)
        {
            case "sum":
                PairEngine.Forward<T, ProbeFormula, TM, SumReduce>(ops, f, mask, rows);
                PairEngine.Backward<T, ProbeFormula, TM, SumReduce>(ops, f, mask, rows.Value, default, weight, grads);
                break;
            case "lse":
                PairEngine.Forward<T, ProbeFormula, TM, LogSumExpReduce>(ops, f, mask, rows);
                PairEngine.Backward<T, ProbeFormula, TM, LogSumExpReduce>(ops, f, mask, rows.Value, default, weight, grads);
                break;
            case "max":
                PairEngine.Forward<T, ProbeFormula, TM, MaxReduce>(ops, f, mask, rows);
                PairEngine.Backward<T, ProbeFormula, TM, MaxReduce>(ops, f, mask, rows.Value, rows.Arg, weight, grads);
                break;
            default:
                PairEngine.Forward<T, ProbeFormula, TM, MinReduce>(ops, f, mask, rows);
                PairEngine.Backward<T, ProbeFormula, TM, MinReduce>(ops, f, mask, rows.Value, rows.Arg, weight, grads);
                break;
        }
    }
}

/// <summary>Tests that change <see cref="PairEngine.Width"/> (a process-wide setting) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EngineSettingsCollection
{
    public const string Name = "Pair engine settings";
}
