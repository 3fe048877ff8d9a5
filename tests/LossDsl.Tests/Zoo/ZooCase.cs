using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Tests.Zoo;

/// <summary>One zoo loss under test: how to build it and realistic inputs, an independent hand-written TorchSharp
/// formulation of what its doc says it computes, and an edge case with the value its doc promises.</summary>
/// <param name="Name">The loss class's name.</param>
/// <param name="Create">A new instance with its defaults (or the hyper-parameters under test).</param>
/// <param name="Inputs">Float64 inputs for a seed; inputs the loss differentiates require gradients, constants do not.</param>
/// <param name="Reference">The hand-written formulation: the loss's value from the inputs (same hyper-parameters).</param>
/// <param name="Edge">Inputs of the edge case (one class, no positives, N = 1 or 2).</param>
/// <param name="EdgeValue">The documented value there, or null when it is the reference's (finite) value.</param>
/// <param name="Term">The term the reference computes, or null for the total.</param>
public sealed record ZooCase(
    string Name,
    Func<ILoss> Create,
    Func<int, Dictionary<string, Tensor>> Inputs,
    Func<ILoss, IReadOnlyDictionary<string, Tensor>, Tensor> Reference,
    Func<Dictionary<string, Tensor>> Edge,
    double? EdgeValue,
    string? Term = null)
{
    public override string ToString() => Name;
}

/// <summary>Small helpers for the hand-written formulations: plain TorchSharp, loops where the formula has them.</summary>
internal static class Hand
{
    public static Tensor Randn(int seed, params long[] shape)
    {
        using var g = new torch.Generator((ulong)seed);
        return randn(shape, float64, generator: g);
    }

    public static Tensor Rand(int seed, params long[] shape)
    {
        using var g = new torch.Generator((ulong)seed);
        return rand(shape, float64, generator: g);
    }

    /// <summary>A float input the loss differentiates.</summary>
    public static Tensor Param(int seed, params long[] shape) => Randn(seed, shape).requires_grad_(true);

    /// <summary>Labels in [0, classes), every class repeated, in a seeded order.</summary>
    public static Tensor Labels(int seed, long n, long classes)
    {
        var values = Enumerable.Range(0, (int)n).Select(i => (long)(i % classes)).ToArray();
        var random = new Random(seed);
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
        return tensor(values, int64);
    }

    public static Tensor Of(params long[] values) => tensor(values, int64);

    public static long[] Longs(Tensor t) => t.data<long>().ToArray();

    public static Tensor Unit(Tensor x) => F.normalize(x, 2.0, -1);

    public static Tensor Cos(Tensor a, Tensor b) => Unit(a).matmul(Unit(b).transpose(-2, -1));

    public static Tensor Dist(Tensor a, Tensor b) => (a - b).pow(2).sum().sqrt();

    public static Tensor Zero() => zeros(Array.Empty<long>(), float64);

    public static Tensor Mean(IReadOnlyList<Tensor> terms) => terms.Count == 0 ? Zero() : stack(terms).mean();

    public static Tensor Sum(IReadOnlyList<Tensor> terms) => terms.Count == 0 ? Zero() : stack(terms).sum();

    public static Tensor Lse(IReadOnlyList<Tensor> terms) => stack(terms).logsumexp(0);

    /// <summary>PML's AvgNonZeroReducer: the mean of the terms &gt; 0, 0 if none.</summary>
    public static Tensor MeanNonZero(IReadOnlyList<Tensor> terms) => Mean(terms.Where(t => t.item<double>() > 0).ToList());

    public static Tensor Relu(Tensor x) => F.relu(x);

    public static Tensor OneHot(Tensor y, long classes) => F.one_hot(y, classes).to(float64);
}
