using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using LossDsl.Runtime;
using LossDsl.Runtime.Assignment;
using LossDsl.Tests.Oracle;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Assignment;

/// <summary>DETR's Hungarian matcher rebuilt from the box ops and the solver reproduces the matching recorded from
/// facebookresearch/detr (<c>detr_*</c> cases of <c>Oracle/cases_seeds.json</c>; CONVENTIONS.md, "DETR set
/// criterion"): C = 5·L1(pred, gt) − softmax(logits)[:, gt_class] − 2·GIoU(xyxy(pred), xyxy(gt)) per image, then
/// <c>scipy.optimize.linear_sum_assignment</c>.</summary>
public sealed class DetrMatcherOracleTests
{
    private static readonly Lazy<List<JsonElement>> Cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Oracle", "cases_seeds.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .Where(c => c.GetProperty("name").GetString()!.StartsWith("detr_", StringComparison.Ordinal))
            .Select(c => c.Clone()).ToList();
    });

    public static IEnumerable<object[]> CaseNames() => Cases.Value.Select(c => new object[] { c.GetProperty("name").GetString()! });

    [Fact]
    public void The_reference_file_has_detr_cases()
    {
        Assert.True(Cases.Value.Count >= 5, $"found {Cases.Value.Count} detr_ cases");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Matcher_reproduces_the_recorded_costs_and_matching(string name)
    {
        using var scope = NewDisposeScope();
        var c = Cases.Value.Single(x => x.GetProperty("name").GetString() == name);
        var inputs = c.GetProperty("inputs");
        var debug = c.GetProperty("debug");
        var logits = ToTensor(inputs.GetProperty("pred_logits"));      // [B, Q, classes + 1]
        var boxes = ToTensor(inputs.GetProperty("pred_boxes"));        // [B, Q, 4] cxcywh
        long batch = logits.shape[0], queries = logits.shape[1];
        var labels = new List<long>();
        var targets = new List<Tensor>();
        var counts = new int[batch];
        for (var b = 0; b < batch; b++)
        {
            labels.AddRange(inputs.GetProperty($"labels_{b}").EnumerateArray().Select(e => e.GetInt64()));
            targets.Add(ToTensor(inputs.GetProperty($"boxes_{b}")).reshape(-1, 4));
            counts[b] = (int)targets[b].shape[0];
        }
        var targetBoxes = cat(targets.ToArray(), 0);

        // DETR computes one [B·Q, T] matrix over the flattened batch, then solves each image's block.
        var cost = MatcherCost(logits.flatten(0, 1), boxes.flatten(0, 1), tensor(labels.ToArray()), targetBoxes);
        var recorded = debug.GetProperty("matcher_cost_matrices").EnumerateArray().ToList();
        var column = 0;
        for (var b = 0; b < batch; b++)
        {
            var block = cost.narrow(0, b * queries, queries).narrow(1, column, counts[b]);
            Assert.True(Tolerance.Matches(block, ToTensor(recorded[b]).reshape(queries, counts[b]), 1e-12, out var error), $"image {b}: cost error {error}");
            column += counts[b];
        }

        var (rows, cols) = TensorMatching.LinearSumAssignment(cost, AssignmentBlocks.FromBlocks((int)(batch * queries), column, CostBlock.Batched((int)queries, counts)));
        var (groupRows, groupCols) = TensorMatching.LinearSumAssignment(
            cost, arange(batch, ScalarType.Int64).repeat_interleave(queries),
            tensor(counts.SelectMany((n, b) => Enumerable.Repeat((long)b, n)).ToArray()));
        Assert.True(rows.equal(groupRows).all().item<bool>() && cols.equal(groupCols).all().item<bool>());

        var r = rows.data<long>().ToArray();
        var k = cols.data<long>().ToArray();
        var matched = debug.GetProperty("matched_indices").EnumerateArray().ToList();
        var at = 0;
        column = 0;
        for (var b = 0; b < batch; b++)
        {
            var pred = matched[b].GetProperty("pred").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var target = matched[b].GetProperty("target").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            // Back to per-image indices, as DETR's matcher returns them.
            Assert.Equal(pred, r.Skip(at).Take(pred.Length).Select(i => i - b * queries).ToArray());
            Assert.Equal(target, k.Skip(at).Take(pred.Length).Select(j => j - column).ToArray());
            at += pred.Length;
            column += counts[b];
        }
        Assert.Equal(at, r.Length);
    }

    /// <summary>HungarianMatcher(cost_class=1, cost_bbox=5, cost_giou=2): [P, T] for P predictions and T targets.</summary>
    private static Tensor MatcherCost(Tensor logits, Tensor boxes, Tensor labels, Tensor targetBoxes)
    {
        var costClass = logits.softmax(-1).index_select(1, labels).neg();
        var costBox = BoxOps.PairwiseL1(boxes, targetBoxes);
        var costGiou = BoxOps.PairwiseGeneralizedIoU(BoxOps.BoxCxcywhToXyxy(boxes), BoxOps.BoxCxcywhToXyxy(targetBoxes)).neg();
        return Scalars.Add(Scalars.Add(Scalars.Mul(costBox, 5), costClass), Scalars.Mul(costGiou, 2));
    }

    private static Tensor ToTensor(JsonElement nested)
    {
        var shape = new List<long>();
        for (var e = nested; e.ValueKind == JsonValueKind.Array; e = e.GetArrayLength() > 0 ? e[0] : default)
        {
            shape.Add(e.GetArrayLength());
            if (e.GetArrayLength() == 0) break;
        }
        var values = new List<double>();
        void Flatten(JsonElement e)
        {
            if (e.ValueKind != JsonValueKind.Array) { values.Add(e.GetDouble()); return; }
            foreach (var item in e.EnumerateArray()) Flatten(item);
        }
        Flatten(nested);
        return tensor(values.ToArray(), shape.ToArray(), ScalarType.Float64);
    }
}
