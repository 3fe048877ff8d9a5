using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Cli;
using LossDsl.Runtime;
using LossDsl.Tests.Equality;
using TorchSharp;

namespace LossDsl.Tests.Runtime;

/// <summary>A batch of one sample has no pairs, triplets or positive distances: every zoo loss is finite (0
/// where it averages over pairs or anchors' pair sets) and back-propagates without NaN, fused, unfused and
/// interpreted. (A batch of one preference pair is an ordinary DPO / NPO batch.)</summary>
public sealed class SmallBatchTests
{
    /// <summary>The zoo losses that average over pairs, triplets or anchors with a partner: 0 on one sample.</summary>
    private static readonly HashSet<string> ZeroOnOneSample = new()
    {
        "NtXent", "SupCon", "TripletMargin", "TripletHardMined", "BatchHardTriplet", "RkdDistance", "Contrastive",
        "MultiSimilarity", "Circle", "Nca", "LiftedStructure", "MarginLoss", "BatchHardTripletPml",
        "NPairs", "SupConPml", "SupConKhosla", "MultiLabelSupCon", "TripletSemiHardMined", "CosineContrastive", "Icnn",
        "ProtoTriplet", "ContrastiveWithStatistics", "LanguageGuidedRelation", "SimilarityPreserving", "CorrelationCongruence",
        "LabelAgnosticForgetting",
    };

    public static IEnumerable<ILoss> ZooLosses() =>
        typeof(ILoss).Assembly.GetTypes()
            .Where(t => t.Namespace == "LossDsl.Zoo" && typeof(ILoss).IsAssignableFrom(t) && !t.IsAbstract)
            .OrderBy(t => t.Name)
            .Select(t => (ILoss)Activator.CreateInstance(t)!);

    public static TheoryData<string, EvaluationPath> Losses()
    {
        var data = new TheoryData<string, EvaluationPath>();
        foreach (var loss in ZooLosses())
            foreach (var path in Enum.GetValues<EvaluationPath>())
                data.Add(loss.Name, path);
        return data;
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_batch_of_one_is_finite_with_a_NaN_free_gradient(string name, EvaluationPath path)
    {
        using var scope = torch.NewDisposeScope();
        var loss = ZooLosses().Single(l => l.Name == name);
        var inputs = RandomInputs.For(loss.Trace(), seed: 1, batch: 1);
        using var result = LossPaths.Compute(loss, path)(inputs);
        result.Total.backward();

        Assert.True(double.IsFinite(result.Total.item<double>()), $"{name} = {result.Total.item<double>()}");
        // 0 up to rounding: a fused region and an unfused node may compute the same cosine with different roundings
        // (LabelAgnosticForgetting's lse_j s_1j − s_11 gives −9e-16 fused).
        if (ZeroOnOneSample.Contains(name)) Assert.Equal(0.0, result.Total.item<double>(), 1e-12);
        foreach (var input in loss.Inputs)
            if (inputs[input.Name].grad is { } grad) Assert.False(TestData.HasNaN(grad), $"NaN in the gradient of {input.Name}");
    }
}
