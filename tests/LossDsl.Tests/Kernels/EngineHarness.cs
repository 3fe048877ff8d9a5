using System;
using System.Linq;
using LossDsl.Runtime;
using LossDsl.Runtime.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Kernels;

/// <summary>A formula that reads every leaf the engine feeds: <c>f = w · softplus(κ·s + v_i − u_j)</c>.</summary>
public struct ProbeFormula : IPairFormula
{
    public double Kappa;
    public ProbeFormula(double kappa) => Kappa = kappa;
    public static int RowValueCount => 1;
    public static int ColumnValueCount => 1;
    public static bool ReadsSecondRelation => false;

    public T Value<T, M>(PairInputs<T> p) where M : IPairMath<T> =>
        M.Mul(p.W, M.Softplus(M.Sub(M.Add(M.Mul(M.Const(Kappa), p.S), p.R0), p.C0)));

    public PairPartials<T> Partials<T, M>(PairInputs<T> p) where M : IPairMath<T>
    {
        var a = M.Sub(M.Add(M.Mul(M.Const(Kappa), p.S), p.R0), p.C0);
        var ws = M.Mul(p.W, M.Sigmoid(a));
        return new() { F = M.Mul(p.W, M.Softplus(a)), S = M.Mul(ws, M.Const(Kappa)), R0 = ws, C0 = M.Neg(ws) };
    }
}

/// <summary>Random operands for one engine check, as tensors (the dense reference) and arrays (the engine).</summary>
internal sealed class EngineCase : IDisposable
{
    public readonly int N, M, D;
    public readonly bool Self;
    public readonly ScalarType Dtype;
    public readonly Tensor X, Y, V, U, W, LabelsRow, LabelsCol, G;
    private readonly DisposeScope _scope;

    public EngineCase(int seed, int n, int m, int d, bool self, ScalarType dtype, int classes)
    {
        _scope = NewDisposeScope();
        N = n; M = self ? n : m; D = d; Self = self; Dtype = dtype;
        var gen = new TorchSharp.torch.Generator((ulong)seed);
        X = randn(new long[] { n, d }, ScalarType.Float64, generator: gen).to_type(dtype);
        Y = self ? X : randn(new long[] { M, d }, ScalarType.Float64, generator: gen).to_type(dtype);
        V = randn(new long[] { n }, ScalarType.Float64, generator: gen).to_type(dtype);
        U = randn(new long[] { M }, ScalarType.Float64, generator: gen).to_type(dtype);
        W = rand(new long[] { n, M }, ScalarType.Float64, generator: gen).to_type(dtype);
        LabelsRow = randint(classes, new long[] { n }, generator: gen, dtype: ScalarType.Int64);
        LabelsCol = self ? LabelsRow : randint(classes, new long[] { M }, generator: gen, dtype: ScalarType.Int64);
        G = randn(new long[] { n }, ScalarType.Float64, generator: gen);
    }

    public void Dispose() => _scope.Dispose();

    public static T[] Data<T>(Tensor t) where T : unmanaged => t.contiguous().data<T>().ToArray();
}

/// <summary>The dense TorchSharp reference (float64, autograd) of one reduction of <see cref="ProbeFormula"/>.</summary>
internal static class DenseReference
{
    public static Tensor Relation(Tensor x, Tensor y, PairMetric metric, bool self) => metric switch
    {
        PairMetric.Dot => x.matmul(y.t()),
        PairMetric.Cosine => Ops.Normalize(x).matmul(Ops.Normalize(y).t()),
        PairMetric.Euclidean => Ops.Pairwise(x, y, LossDsl.Ir.Metric.Euclidean, self),
        _ => Ops.Pairwise(x, y, LossDsl.Ir.Metric.SqEuclidean, self),
    };

    public static Tensor Mask(string mask, EngineCase c)
    {
        var same = c.LabelsRow.unsqueeze(1).eq(c.LabelsCol.unsqueeze(0));
        var notSelf = eye(c.N, c.M, ScalarType.Bool).logical_not();
        return mask switch
        {
            "all" or "weights" => ones(c.N, c.M, ScalarType.Bool),
            "same" => same,
            "different" => same.logical_not(),
            "same-not-self" => same.logical_and(notSelf),
            "all-not-self" => notSelf,
            "other-view" => eye(c.N, c.M, ScalarType.Bool).roll(c.N / 2, 1),
            _ => throw new ArgumentException(mask),
        };
    }
}
