using System.Collections.Generic;
using LossDsl.Ir;
using LossDsl.Tests.Oracle;
using TorchSharp;
using static LossDsl.Dsl;

namespace LossDsl.Tests.Runtime;

/// <summary>Small deterministic inputs and a three-term distillation loss shared by the runtime tests.</summary>
internal static class TestData
{
    /// <summary>Hard (cross-entropy), Soft (KL at T = 4) and Rkd (relational distances) over inputs
    /// student [N, C], y [N], teacher [N, C], s [N, D_s], t [N, D_t].</summary>
    public static LossIr Distillation() => Traced.Of(
        ("Hard", 1.0, CrossEntropy(Logits.Input("student"), Labels.Input("y"))),
        ("Soft", 0.9, KL(Softmax(Logits.Input("teacher"), 4), LogSoftmax(Logits.Input("student"), 4)) * 16),
        ("Rkd", 25, SmoothL1(
            Pairwise(Embeddings.Input("s"), Distance.Euclidean).MeanNormalized(),
            Pairwise(Frozen(Embeddings.Input("t")), Distance.Euclidean).MeanNormalized())));

    public static Dictionary<string, torch.Tensor> DistillationInputs(long n = 12, long classes = 10) => new()
    {
        ["student"] = Randn(1, n, classes),
        ["y"] = torch.arange(n, torch.int64) % classes,
        ["teacher"] = Randn(2, n, classes),
        ["s"] = Randn(3, n, 5),
        ["t"] = Randn(4, n, 7),
    };

    /// <summary>Standard normal float64 values from a fixed seed.</summary>
    public static torch.Tensor Randn(int seed, params long[] shape)
    {
        using var gen = new torch.Generator((ulong)seed);
        return torch.randn(shape, torch.float64, generator: gen);
    }

    public static bool HasNaN(torch.Tensor t) => t.isnan().any().item<bool>();
}
