using System.Collections.Generic;
using LossDsl.Ir;
using LossDsl.Runtime;
using LossDsl.Tests.Oracle;
using LossDsl.Zoo;
using TorchSharp;

namespace LossDsl.Tests.Runtime;

/// <summary>A batch of one sample has no pairs, triplets or positive distances: every zoo loss is
/// finite (0 where it averages over pairs or anchors' pair sets) and back-propagates without NaN, fused,
/// unfused and interpreted. (A batch of one preference pair is an ordinary DPO / NPO batch.)</summary>
public sealed class SmallBatchTests
{
    public static TheoryData<string, string> Losses()
    {
        var data = new TheoryData<string, string>();
        foreach (var loss in new[] { "NtXent", "SupCon", "Triplet", "TripletHard", "BatchHard", "Rkd", "Kd",
                                   "Contrastive", "MultiSimilarity", "DpoSigmoid", "DpoHinge", "DpoIpo", "Npo" })
            foreach (var path in new[] { "fused", "unfused", "interpreted" })
                data.Add(loss, path);
        return data;
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_batch_of_one_is_finite_with_a_NaN_free_gradient(string name, string path)
    {
        using var scope = torch.NewDisposeScope();
        var (loss, expectZero) = Create(name);
        var inputs = new Dictionary<string, torch.Tensor>();
        foreach (var input in loss.Inputs)
            inputs[input.Name] = input.Kind switch
            {
                ValueKind.Labels => torch.zeros(1, torch.int64),
                ValueKind.Vector => TestData.Randn(inputs.Count + 1, 1).requires_grad_(),
                _ => TestData.Randn(inputs.Count + 1, 1, 4).requires_grad_(),
            };
        using var result = ZooParityTests.Compute(loss, path)(inputs);
        result.Total.backward();

        Assert.True(double.IsFinite(result.Total.item<double>()), $"{name} = {result.Total.item<double>()}");
        if (expectZero) Assert.Equal(0.0, result.Total.item<double>());
        foreach (var input in loss.Inputs)
            if (inputs[input.Name].grad is { } grad) Assert.False(TestData.HasNaN(grad), $"NaN in the gradient of {input.Name}");
    }

    private static (ILoss Loss, bool ExpectZero) Create(string name) => name switch
    {
        "NtXent" => (new NtXent { Temperature = 0.1 }, true),
        "SupCon" => (new SupCon { Temperature = 0.1 }, true),
        "Triplet" => (new TripletMargin(), true),
        "TripletHard" => (new TripletHardMined(), true),
        "BatchHard" => (new BatchHardTriplet(), true),
        "Rkd" => (new RkdDistance(), true),
        "Contrastive" => (new Contrastive(), true),
        "MultiSimilarity" => (new MultiSimilarity(), true),
        "DpoSigmoid" => (new DpoSigmoid(), false),
        "DpoHinge" => (new DpoHinge(), false),
        "DpoIpo" => (new DpoIpo(), false),
        "Npo" => (new Npo(), false),
        _ => (new HintonKd { T = 4 }, false),
    };
}
