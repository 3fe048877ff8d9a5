using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime;
using LossDsl.Zoo;
using TorchSharp;
using static LossDsl.Tests.Zoo.Hand;
using static TorchSharp.torch;

namespace LossDsl.Tests.Zoo;

/// <summary>What the zoo, part 1, promises beyond one value: the two SupCon semantics apart, multi-label SupCon reducing
/// to SupCon, the statistics terms, the geometric features, the cross-batch memory queue, and the new operations.</summary>
public sealed class ZooPart1ExtrasTests
{
    private static double Total(ILoss loss, Dictionary<string, Tensor> inputs)
    {
        using var result = loss.Compute(inputs);
        return result.Total.item<double>();
    }

    [Fact]
    public void SupCon_semantics_differ_only_where_PML_guards_or_averages()
    {
        using var scope = NewDisposeScope();
        var z = Randn(1, 6, 4);
        var oneClass = new Dictionary<string, Tensor> { ["z"] = z, ["y"] = Of(2, 2, 2, 2, 2, 2) };
        Assert.Equal(0.0, Total(new SupConPml(), oneClass));
        Assert.True(Total(new SupConKhosla { Temperature = 0.1, BaseTemperature = 0.1 }, oneClass) > 0.5);
        Assert.True(Total(new SupCon(), oneClass) > 0.5);   // the zoo's original SupCon: PML's average, no guard

        // With negatives and every anchor holding a positive, all three agree (at τ/τ_base = 1).
        var paired = new Dictionary<string, Tensor> { ["z"] = z, ["y"] = Of(0, 1, 0, 1, 2, 2) };
        var pml = Total(new SupConPml(), paired);
        Assert.Equal(pml, Total(new SupConKhosla { Temperature = 0.1, BaseTemperature = 0.1 }, paired), 12);
        Assert.Equal(pml, Total(new SupCon(), paired), 12);

        // An anchor without a positive: Khosla averages it in as 0, PML leaves it out.
        var lonely = new Dictionary<string, Tensor> { ["z"] = z, ["y"] = Of(0, 1, 0, 1, 2, 3) };
        var khosla = Total(new SupConKhosla { Temperature = 0.1, BaseTemperature = 0.1 }, lonely);
        Assert.Equal(Total(new SupConPml(), lonely) * 4 / 6, khosla, 12);
    }

    [Fact]
    public void Multi_label_SupCon_with_one_hot_labels_is_SupCon()
    {
        using var scope = NewDisposeScope();
        var z = Randn(2, 8, 5);
        var y = Of(0, 1, 0, 2, 1, 0, 3, 1);
        var oneHot = nn.functional.one_hot(y, 4).to(float64);
        Assert.Equal(Total(new SupConPml(), new() { ["z"] = z, ["y"] = y }), Total(new MultiLabelSupCon(), new() { ["z"] = z, ["labels"] = oneHot }), 12);
    }

    [Fact]
    public void Contrastive_statistics_are_the_documented_measures_and_carry_no_gradient()
    {
        using var scope = NewDisposeScope();
        var z = Randn(3, 8, 5).requires_grad_(true);
        using var result = new ContrastiveWithStatistics().Compute(new Dictionary<string, Tensor> { ["z"] = z });
        var cos = Cos(z, z).detach();
        var positive = Enumerable.Range(0, 8).Select(i => cos[i, (i + 4) % 8].item<double>()).Average();
        var hardest = Enumerable.Range(0, 8).Select(i => Enumerable.Range(0, 8).Where(j => j != i && j != (i + 4) % 8).Max(j => cos[i, j].item<double>())).Average();
        var unit = Unit(z).detach();
        var uniformity = Math.Log(Enumerable.Range(0, 8).SelectMany(i => Enumerable.Range(0, 8).Where(j => j != i)
            .Select(j => Math.Exp(-2 * (unit[i] - unit[j]).pow(2).sum().item<double>()))).Average());
        Assert.Equal(positive, result["PositiveSimilarity"].Raw.item<double>(), 12);
        Assert.Equal(hardest, result["HardestNegativeSimilarity"].Raw.item<double>(), 12);
        Assert.Equal(uniformity, result["Uniformity"].Raw.item<double>(), 12);
        Assert.Equal(result["Contrast"].Raw.item<double>(), result.Total.item<double>(), 14);
        foreach (var term in new[] { "PositiveSimilarity", "HardestNegativeSimilarity", "Uniformity" })
            Assert.False(result[term].Raw.requires_grad, term);
    }

    [Fact]
    public void Geometric_features_are_the_exposed_terms_per_sample()
    {
        using var scope = NewDisposeScope();
        var (student, teacher, y) = (Randn(4, 6, 5), Randn(5, 6, 5), Of(0, 4, 2, 1, 1, 3));
        var features = TrilateralGeometry.Features(student, teacher, y);
        using var result = new TrilateralGeometryKd().Compute(new Dictionary<string, Tensor>
        {
            ["student"] = student, ["teacher"] = teacher, ["y"] = y, ["ratio"] = full(6, 0.5, float64),
        });
        Assert.Equal(new long[] { 6, 3 }, features.shape);
        Assert.Equal(features[.., 0].mean().item<double>(), result["StudentTeacherGap"].Raw.item<double>(), 12);
        Assert.Equal(features[.., 1].mean().item<double>(), result["StudentError"].Raw.item<double>(), 12);
        Assert.Equal(features[.., 2].mean().item<double>(), result["TeacherError"].Raw.item<double>(), 12);
    }

    [Fact]
    public void Memory_queue_follows_PML_CrossBatchMemory()
    {
        using var scope = NewDisposeScope();
        using var queue = new CrossBatchMemoryQueue(size: 5, embeddingSize: 2, dtype: ScalarType.Float64);
        var first = queue.Enqueue(tensor(new double[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } }), Of(0, 1, 2));
        Assert.Equal(new long[] { 0, 1, 2 }, Longs(first["memorySlot"]));
        Assert.Equal(new long[] { 0, 1, 2 }, Longs(first["memoryLabels"]));
        Assert.Equal(3, queue.Filled);

        // Wraps around: slots 3, 4, 0; the memory is now full and slot 0 holds the new sample.
        var second = queue.Enqueue(tensor(new double[,] { { 2, 0 }, { 0, 2 }, { 2, 2 } }), Of(3, 4, 5));
        Assert.Equal(new long[] { 3, 4, 0 }, Longs(second["memorySlot"]));
        Assert.Equal(new long[] { 5, 1, 2, 3, 4 }, Longs(second["memoryLabels"]));
        Assert.Equal(new double[] { 2, 2 }, second["memory"][0].data<double>().ToArray());

        // With an enqueue mask, the masked rows go in and the others query, with no copy to exclude.
        var third = queue.Enqueue(tensor(new double[,] { { 3, 0 }, { 0, 3 } }), Of(6, 7), tensor(new[] { true, false }));
        Assert.Equal(new long[] { 7 }, Longs(third["y"]));
        Assert.Equal(new long[] { -1 }, Longs(third["memorySlot"]));
        Assert.Equal(new long[] { 5, 6, 2, 3, 4 }, Longs(third["memoryLabels"]));

        // The loss runs on what the queue gives, and a sample never meets its own copy as a positive.
        var loss = new CrossBatchMemoryContrastive();
        Assert.True(double.IsFinite(Total(loss, second.ToDictionary(p => p.Key, p => p.Value))));
        Assert.Throws<ArgumentException>(() => queue.Enqueue(zeros(6, 2, float64), Of(0, 0, 0, 0, 0, 0)));
    }

    [Fact]
    public void New_operations_on_small_cases()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(new[] { false, false, false, true, false, false, true, true, false }, Ops.Earlier(3, CPU).reshape(-1).data<bool>().ToArray());
        Assert.Equal(new[] { false, true, false, false, false, true, false, false, false }, Ops.NextRow(3, CPU).reshape(-1).data<bool>().ToArray());
        Assert.Equal(new[] { false }, Ops.NextRow(1, CPU).reshape(-1).data<bool>().ToArray());

        // Means of the selected rows; an empty row gives 0 and no gradient (no NaN).
        var x = tensor(new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }).requires_grad_(true);
        var graph = tensor(new[,] { { true, true, false }, { false, false, false }, { true, false, true } });
        var means = Ops.MeanOfRows(graph, x);
        Assert.Equal(new double[] { 2, 3, 0, 0, 3, 4 }, means.reshape(-1).data<double>().ToArray());
        means.sum().backward();
        Assert.Equal(new double[] { 1, 1, 0.5, 0.5, 0.5, 0.5 }, x.grad!.reshape(-1).data<double>().ToArray());

        // Soft weights: Σ w x / Σ w.
        var weights = tensor(new double[,] { { 0.25, 0, 0.75 } });
        Assert.Equal(new double[] { 4, 5 }, Ops.MeanOfRows(weights, x.detach()).reshape(-1).data<double>().ToArray());
    }
}
