using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime;
using LossDsl.Zoo;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Tests.Zoo2;

/// <summary>Ranking (BPR, margin ranking, PLD's weighted pairwise loss) and graph losses (ComplEx, TransE's margin ranking,
/// DistMult with BCE over negatives, graph smoothness) against direct TorchSharp code and finite differences.</summary>
public sealed class RankingAndGraphTests
{
    private static Dictionary<string, Tensor> Interactions(int seed) => new()
    {
        ["users"] = ZooCheck.Randn(seed, 5, 3),
        ["items"] = ZooCheck.Randn(seed + 1, 7, 3),
        ["triples"] = stack(new[] { ZooCheck.Randint(seed + 2, 5, 9), ZooCheck.Randint(seed + 3, 7, 9), ZooCheck.Randint(seed + 4, 7, 9) }, 1),
    };

    private static Tensor Scores(IReadOnlyDictionary<string, Tensor> x, int itemColumn)
    {
        var u = x["users"].index_select(0, x["triples"].select(1, 0));
        var i = x["items"].index_select(0, x["triples"].select(1, itemColumn));
        return Mul(u, i).sum(1);
    }

    [Fact]
    public void Bpr_is_minus_log_sigmoid_of_the_score_difference_plus_l2()
    {
        var loss = new Bpr { Regularization = 0.01 };
        ZooCheck.MatchesReference(loss, Interactions(1), x =>
        {
            var ranking = F.logsigmoid(Sub(Scores(x, 1), Scores(x, 2))).neg().mean();
            Tensor Rows(string table, int column) => Square(x[table].index_select(0, x["triples"].select(1, column))).sum(1);
            return Add(ranking, Mul(Add(Add(Rows("users", 0), Rows("items", 1)), Rows("items", 2)).mean(), 0.005));
        });
        ZooCheck.GradientMatchesFiniteDifferences(loss, Interactions(2), new[] { "users", "items" });
        // An item against itself: every difference is 0, log 2 per triple.
        var same = Interactions(3);
        same["triples"] = stack(new[] { same["triples"].select(1, 0), same["triples"].select(1, 1), same["triples"].select(1, 1) }, 1);
        Assert.Equal(Math.Log(2), ZooCheck.Values(new Bpr(), same).Total, 14);
    }

    [Fact]
    public void Margin_ranking_is_pytorchs()
    {
        var inputs = new Dictionary<string, Tensor>
        {
            ["x1"] = ZooCheck.Randn(4, 10), ["x2"] = ZooCheck.Randn(5, 10),
            ["y"] = Sub(Mul(ZooCheck.Randint(6, 2, 10).to(ScalarType.Float64), 2), 1),
        };
        var loss = new MarginRanking { Margin = 0.3 };
        ZooCheck.MatchesReference(loss, inputs, x => F.margin_ranking_loss(x["x1"], x["x2"], x["y"], 0.3), constants: new[] { "y" });
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "x1", "x2" });
        inputs["x2"] = inputs["x1"];
        Assert.Equal(0.3, ZooCheck.Values(loss, inputs).Total, 15);   // equal scores cost the margin
    }

    [Fact]
    public void Personalized_denoising_weighs_each_triple_by_its_users_weight()
    {
        var inputs = Interactions(7);
        inputs["userWeights"] = ZooCheck.Randn(8, 5).abs();
        var loss = new PersonalizedDenoising();
        ZooCheck.MatchesReference(loss, inputs, x =>
        {
            var w = x["userWeights"].index_select(0, x["triples"].select(1, 0));
            return Div(Mul(w, F.logsigmoid(Sub(Scores(x, 1), Scores(x, 2))).neg()).sum(), w.sum());
        }, constants: new[] { "userWeights" });
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "users", "items" });
        // Equal weights: BPR; all-zero weights: 0.
        inputs["userWeights"] = Full(new long[] { 5 }, 0.4, ScalarType.Float64, CPU);
        Assert.Equal(ZooCheck.Values(new Bpr(), inputs).Total, ZooCheck.Values(loss, inputs).Total, 14);
        inputs["userWeights"] = zeros(5, ScalarType.Float64);
        Assert.Equal(0.0, ZooCheck.Values(loss, inputs).Total);
    }

    private static Dictionary<string, Tensor> Triples(int seed, long hidden, long relationWidth)
    {
        var positives = stack(new[] { ZooCheck.Randint(seed, 6, 4), ZooCheck.Randint(seed + 1, 3, 4), ZooCheck.Randint(seed + 2, 6, 4) }, 1);
        var negativeTails = ZooCheck.Randint(seed + 3, 6, 4, 3);
        var negatives = stack(new[] { positives.select(1, 0).unsqueeze(1).expand(4, 3), positives.select(1, 1).unsqueeze(1).expand(4, 3), negativeTails }, 2);
        return new Dictionary<string, Tensor>
        {
            ["entities"] = ZooCheck.Randn(seed + 4, 6, hidden), ["relations"] = ZooCheck.Randn(seed + 5, 3, relationWidth),
            ["positives"] = positives, ["negatives"] = negatives,
        };
    }

    /// <summary>ComplEx's score with complex tensors: Re(Σ h · r · conj(t)).</summary>
    private static Tensor ComplExScore(Tensor entities, Tensor relations, Tensor triples)
    {
        Tensor Complex(Tensor table, Tensor index)
        {
            var rows = table.index_select(0, index.reshape(-1));
            var half = rows.shape[1] / 2;
            return complex(rows.narrow(1, 0, half), rows.narrow(1, half, half));
        }
        var h = Complex(entities, triples.select(-1, 0));
        var r = Complex(relations, triples.select(-1, 1));
        var t = Complex(entities, triples.select(-1, 2));
        return h.mul(r).mul(t.conj()).real.sum(1).reshape(triples.shape[..^1]);
    }

    [Fact]
    public void ComplEx_scores_by_complex_products_with_self_adversarial_sampling()
    {
        var inputs = Triples(1, 6, 6);
        inputs["weights"] = Add(ZooCheck.Randn(9, 4).abs(), 0.1);
        var loss = new ComplEx { AdversarialTemperature = 0.5, Regularization = 0.01 };
        ZooCheck.MatchesReference(loss, inputs, x =>
        {
            var positive = F.logsigmoid(ComplExScore(x["entities"], x["relations"], x["positives"]));
            var negativeScores = ComplExScore(x["entities"], x["relations"], x["negatives"]);
            var adversarial = F.softmax(Mul(negativeScores, 0.5), 1).detach();
            var negative = Mul(adversarial, F.logsigmoid(negativeScores.neg())).sum(1);
            var w = x["weights"];
            var regularizer = Mul(Add(Pow(x["entities"].abs(), 3).sum(), Pow(x["relations"].abs(), 3).sum()), 0.01);
            return Add(Mul(Add(Div(Mul(positive, w).sum(), w.sum()), Div(Mul(negative, w).sum(), w.sum())), -0.5), regularizer);
        });
        // The self-adversarial weights are detached (held constant), so finite differences of the value match the
        // gradient with equal weights only.
        ZooCheck.GradientMatchesFiniteDifferences(new ComplEx { AdversarialTemperature = 0, Regularization = 0.01 }, inputs, new[] { "entities", "relations" });
    }

    [Fact]
    public void TransE_margin_ranking_and_DistMult_with_negative_sampling()
    {
        var inputs = Triples(2, 4, 4);
        Tensor Distance(IReadOnlyDictionary<string, Tensor> x, Tensor triples)
        {
            Tensor Rows(string table, int column) => x[table].index_select(0, triples.select(-1, column).reshape(-1));
            return Sub(Add(Rows("entities", 0), Rows("relations", 1)), Rows("entities", 2)).abs().sum(1).reshape(triples.shape[..^1]);
        }
        var margin = new TransEMarginRanking { Margin = 2 };
        ZooCheck.MatchesReference(margin, inputs, x =>
            Add(Sub(Distance(x, x["positives"]).unsqueeze(1), Distance(x, x["negatives"])), 2).relu().mean());
        ZooCheck.GradientMatchesFiniteDifferences(margin, inputs, new[] { "entities", "relations" });

        Tensor DistMult(IReadOnlyDictionary<string, Tensor> x, Tensor triples)
        {
            Tensor Rows(string table, int column) => x[table].index_select(0, triples.select(-1, column).reshape(-1));
            return Mul(Mul(Rows("entities", 0), Rows("relations", 1)), Rows("entities", 2)).sum(1).reshape(triples.shape[..^1]);
        }
        var bce = new DistMultNegativeSampling();
        ZooCheck.MatchesReference(bce, inputs, x =>
        {
            var scores = cat(new[] { DistMult(x, x["positives"]), DistMult(x, x["negatives"]).reshape(-1) }, 0);
            var labels = cat(new[] { ones(4, ScalarType.Float64), zeros(12, ScalarType.Float64) }, 0);
            return F.binary_cross_entropy_with_logits(scores, labels);
        });
        ZooCheck.GradientMatchesFiniteDifferences(bce, inputs, new[] { "entities", "relations" });

        // A negative equal to its positive costs the margin.
        inputs["negatives"] = inputs["positives"].unsqueeze(1).expand(4, 3, 3).contiguous();
        Assert.Equal(2.0, ZooCheck.Values(margin, inputs).Total, 14);
    }

    [Fact]
    public void Graph_smoothness_is_the_laplacian_quadratic_form()
    {
        var z = ZooCheck.Randn(3, 5, 2);
        var edges = tensor(new long[] { 0, 1, 1, 2, 3, 4, 4, 0 }, new long[] { 4, 2 });
        var weights = tensor(new[] { 0.5, 2.0, 1.0, 0.25 });
        var inputs = new Dictionary<string, Tensor> { ["z"] = z, ["edges"] = edges, ["edgeWeights"] = weights };
        // L = D − W of the weighted undirected graph: Σ_(u,v) w ‖z_u − z_v‖² = tr(zᵀ L z).
        var adjacency = zeros(5, 5, ScalarType.Float64);
        for (var e = 0; e < 4; e++)
        {
            var (u, v, w) = (edges[e, 0].item<long>(), edges[e, 1].item<long>(), weights[e].item<double>());
            adjacency[u, v] = Add(adjacency[u, v], w);
            adjacency[v, u] = Add(adjacency[v, u], w);
        }
        var laplacian = Sub(diag(adjacency.sum(1)), adjacency);
        var loss = new GraphSmoothness();
        ZooCheck.MatchesReference(loss, inputs, x => x["z"].t().mm(laplacian).mm(x["z"]).trace(), constants: new[] { "edgeWeights" });
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "z" });
        inputs["edges"] = zeros(0, 2, ScalarType.Int64);
        inputs["edgeWeights"] = zeros(0, ScalarType.Float64);
        Assert.Equal(0.0, ZooCheck.Values(loss, inputs).Total);
    }
}
