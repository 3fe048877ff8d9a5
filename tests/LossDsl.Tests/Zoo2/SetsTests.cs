using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Cli;
using LossDsl.Runtime;
using LossDsl.Zoo;
using static LossDsl.Runtime.Scalars;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Tests.Zoo2;

/// <summary>The set losses: "Order Matters" against the minimum over every ordering (brute force), Hydra-SGG against
/// matchings found by brute force, gradients with the assignments held fixed, and ties.</summary>
public sealed class SetsTests
{
    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0) { yield return Array.Empty<int>(); yield break; }
        foreach (var rest in Permutations(n - 1))
            for (var at = 0; at <= rest.Length; at++)
                yield return rest.Take(at).Append(n - 1).Concat(rest.Skip(at)).ToArray();
    }

    /// <summary>Two sets of 3 and 4 elements, decoded in as many steps, flattened.</summary>
    private static Dictionary<string, Tensor> TwoSets(int seed) => new()
    {
        ["stepLogits"] = ZooCheck.Randn(seed, 7, 5),
        ["stepSet"] = tensor(new long[] { 0, 0, 0, 1, 1, 1, 1 }),
        ["elements"] = ZooCheck.Randint(seed + 1, 5, 7),
        ["elementSet"] = tensor(new long[] { 0, 0, 0, 1, 1, 1, 1 }),
    };

    [Fact]
    public void Order_matters_takes_the_best_ordering_of_each_set()
    {
        var inputs = TwoSets(1);
        var loss = new OrderMattersSet();
        ZooCheck.MatchesReference(loss, inputs, x =>
        {
            // min over the orderings of each set, by brute force; the gradient flows through the best one.
            var logp = F.log_softmax(x["stepLogits"], 1);
            var elements = x["elements"].data<long>().ToArray();
            Tensor Best(int start, int size)
            {
                Tensor? best = null;
                foreach (var order in Permutations(size))
                {
                    var nll = order.Select((e, t) => logp[start + t, elements[start + e]].neg()).Aggregate(Add);
                    if (best is null || nll.item<double>() < best.item<double>()) best = nll;
                }
                return best!;
            }
            return Div(Add(Best(0, 3), Best(3, 4)), 7);
        });
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "stepLogits" });
    }

    [Fact]
    public void Equal_step_distributions_tie_every_ordering_and_stay_finite()
    {
        var inputs = TwoSets(2);
        inputs["stepLogits"] = zeros(7, 5, ScalarType.Float64);   // every ordering costs the same: log 5 per step
        var leaves = ZooCheck.Leaves(inputs);
        using var result = new OrderMattersSet().Compute(leaves);
        result.Total.backward();
        Assert.Equal(Math.Log(5), result.Total.item<double>(), 14);
        Assert.False(leaves["stepLogits"].grad!.isnan().any().item<bool>());
        // More steps than elements: the extra step is left out.
        inputs["stepLogits"] = ZooCheck.Randn(3, 7, 5);
        inputs["elements"] = inputs["elements"].narrow(0, 0, 6);
        inputs["elementSet"] = tensor(new long[] { 0, 0, 0, 1, 1, 1 });
        Assert.True(double.IsFinite(ZooCheck.Values(new OrderMattersSet(), inputs).Total));
    }

    /// <summary>One image with 4 relation queries and 2 relations, a second with 3 queries and 1 relation.</summary>
    private static Dictionary<string, Tensor> Scene(int seed)
    {
        Tensor Boxes(int s, long n) => Add(Mul(rand(new[] { n, 4 }, ScalarType.Float64, generator: new torch.Generator((ulong)s)), 0.5), 0.25);
        return new Dictionary<string, Tensor>
        {
            ["queryLogits"] = ZooCheck.Randn(seed, 7, 4), ["querySubjects"] = Boxes(seed + 1, 7), ["queryObjects"] = Boxes(seed + 2, 7),
            ["queryImage"] = tensor(new long[] { 0, 0, 0, 0, 1, 1, 1 }),
            ["predicates"] = tensor(new long[] { 2, 0, 1 }), ["subjects"] = Boxes(seed + 3, 3), ["objects"] = Boxes(seed + 4, 3),
            ["targetImage"] = tensor(new long[] { 0, 0, 1 }),
            ["classWeights"] = tensor(new[] { 1.0, 1, 1, 0.1 }),
        };
    }

    private static Tensor Xyxy(Tensor b) => stack(new[]
    {
        Sub(b.select(1, 0), Mul(b.select(1, 2), 0.5)), Sub(b.select(1, 1), Mul(b.select(1, 3), 0.5)),
        Add(b.select(1, 0), Mul(b.select(1, 2), 0.5)), Add(b.select(1, 1), Mul(b.select(1, 3), 0.5)),
    }, 1);

    /// <summary>GIoU of boxes a_i and b_i, [M].</summary>
    private static Tensor Giou(Tensor a, Tensor b)
    {
        var (x, y) = (Xyxy(a), Xyxy(b));
        Tensor Area(Tensor t) => Mul(Sub(t.select(1, 2), t.select(1, 0)), Sub(t.select(1, 3), t.select(1, 1)));
        var iw = ClampMin(Sub(minimum(x.select(1, 2), y.select(1, 2)), maximum(x.select(1, 0), y.select(1, 0))), 0);
        var ih = ClampMin(Sub(minimum(x.select(1, 3), y.select(1, 3)), maximum(x.select(1, 1), y.select(1, 1))), 0);
        var inter = Mul(iw, ih);
        var union = Sub(Add(Area(x), Area(y)), inter);
        var cw = Sub(maximum(x.select(1, 2), y.select(1, 2)), minimum(x.select(1, 0), y.select(1, 0)));
        var ch = Sub(maximum(x.select(1, 3), y.select(1, 3)), minimum(x.select(1, 1), y.select(1, 1)));
        var hull = Mul(cw, ch);
        return Sub(Div(inter, union), Div(Sub(hull, union), hull));
    }

    [Fact]
    public void HydraSgg_one_to_one_and_one_to_many_against_brute_force_matchings()
    {
        var inputs = Scene(5);
        var loss = new HydraSgg { Threshold = -0.2, TopK = 2 };
        // The one-to-one matching by brute force (each image: every injective map of relations to queries).
        var x0 = inputs;
        long[] queryOf = new long[3];
        var probs = F.softmax(x0["queryLogits"], 1);
        double Cost(long q, int g)
        {
            var qi = tensor(new[] { q });
            var gi = tensor(new long[] { g });
            var l1 = Add(Sub(x0["querySubjects"][q], x0["subjects"][g]).abs().sum(), Sub(x0["queryObjects"][q], x0["objects"][g]).abs().sum()).item<double>();
            var giou = Add(Giou(x0["querySubjects"].index_select(0, qi), x0["subjects"].index_select(0, gi)),
                Giou(x0["queryObjects"].index_select(0, qi), x0["objects"].index_select(0, gi))).item<double>();
            return 5 * l1 - probs[q, x0["predicates"][g].item<long>()].item<double>() - 2 * giou;
        }
        var best = double.PositiveInfinity;
        for (long a = 0; a < 4; a++)
            for (long b = 0; b < 4; b++)
            {
                if (a == b) continue;
                var c = Cost(a, 0) + Cost(b, 1);
                if (c < best) { best = c; queryOf[0] = a; queryOf[1] = b; }
            }
        queryOf[2] = Enumerable.Range(4, 3).OrderBy(q => Cost(q, 2)).First();
        // The one-to-many pairs: min(GIoU_s, GIoU_o) ≥ −0.2, the best 2 queries of the relation's image.
        var many = new List<(long Query, int Target)>();
        for (var g = 0; g < 3; g++)
        {
            var queries = g < 2 ? Enumerable.Range(0, 4) : Enumerable.Range(4, 3);
            var scored = queries.Select(q => (Query: (long)q, Score: Math.Min(
                    Giou(x0["querySubjects"].narrow(0, q, 1), x0["subjects"].narrow(0, g, 1)).item<double>(),
                    Giou(x0["queryObjects"].narrow(0, q, 1), x0["objects"].narrow(0, g, 1)).item<double>())))
                .Where(s => s.Score >= -0.2).OrderByDescending(s => s.Score).ThenBy(s => s.Query).Take(2);
            many.AddRange(scored.Select(s => (s.Query, g)));
        }
        Assert.NotEmpty(many);

        ZooCheck.MatchesReference(loss, inputs, x =>
        {
            var labels = Full(new long[] { 7 }, 3, ScalarType.Int64, CPU);
            for (var g = 0; g < 3; g++) labels[queryOf[g]] = x["predicates"][g];
            var classes = F.cross_entropy(x["queryLogits"], labels, x["classWeights"]);
            Tensor PairLoss(long[] q, long[] g)
            {
                var qi = tensor(q);
                var gi = tensor(g);
                Tensor Part(string query, string target) =>
                    Add(Sub(x[query].index_select(0, qi), x[target].index_select(0, gi)).abs().sum(1),
                        Sub(1.0, Giou(x[query].index_select(0, qi), x[target].index_select(0, gi))));
                return Add(Part("querySubjects", "subjects"), Part("queryObjects", "objects"));
            }
            var boxes = Div(PairLoss(queryOf, new long[] { 0, 1, 2 }).sum(), 3);
            var mq = many.Select(m => m.Query).ToArray();
            var mg = many.Select(m => (long)m.Target).ToArray();
            var manyClasses = F.cross_entropy(x["queryLogits"].index_select(0, tensor(mq)), x["predicates"].index_select(0, tensor(mg)));
            var manyBoxes = PairLoss(mq, mg).mean();
            return Add(Add(classes, boxes), Add(manyClasses, manyBoxes));
        }, 1e-11, "classWeights");
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "queryLogits", "querySubjects", "queryObjects" });
    }

    [Fact]
    public void HydraSgg_without_one_to_many_pairs_adds_0()
    {
        var (total, terms) = ZooCheck.Values(new HydraSgg { Threshold = 2 }, Scene(6));   // GIoU ≤ 1: no pair qualifies
        Assert.Equal(0.0, terms["ManyClasses"]);
        Assert.Equal(0.0, terms["ManyBoxes"]);
        Assert.Equal(terms["Classes"] + terms["Boxes"], total, 14);
    }
}
