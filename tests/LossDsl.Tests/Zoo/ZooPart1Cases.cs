using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime;
using LossDsl.Zoo;
using TorchSharp;
using static LossDsl.Tests.Zoo.Hand;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Tests.Zoo;

/// <summary>The losses of the relational zoo, part 1 (metric learning and distillation), each with its hand-written
/// formulation and edge case.</summary>
public static class ZooPart1Cases
{
    public static readonly IReadOnlyList<ZooCase> All = new[]
    {
        // ---- pytorch-metric-learning 2.8.1 -------------------------------------------------------
        new ZooCase("CosFace", () => new CosFace(),
            s => new() { ["z"] = Param(s, 10, 5), ["y"] = Labels(s, 10, 4), ["W"] = Param(s + 1, 5, 4) },
            (l, x) =>
            {
                var c = (CosFace)l;
                var cos = Cos(x["z"], x["W"].t());
                return F.cross_entropy((cos - OneHot(x["y"], 4) * c.Margin) * c.Scale, x["y"]);
            },
            () => new() { ["z"] = Param(3, 1, 5), ["y"] = Of(2), ["W"] = Param(4, 5, 4) }, null),

        new ZooCase("ProxyNca", () => new ProxyNca { SoftmaxScale = 3 },
            s => new() { ["z"] = Param(s, 10, 5), ["y"] = Labels(s, 10, 4), ["proxies"] = Param(s + 1, 4, 5) },
            (l, x) =>
            {
                var d2 = cdist(Unit(x["z"]), Unit(x["proxies"])).pow(2);
                return F.cross_entropy(-((ProxyNca)l).SoftmaxScale * d2, x["y"]);
            },
            () => new() { ["z"] = Param(3, 1, 5), ["y"] = Of(0), ["proxies"] = Param(4, 3, 5) }, null),

        new ZooCase("NPairs", () => new NPairs(),
            s => new() { ["z"] = Param(s, 11, 5), ["y"] = Of(3, 1, 0, 3, 2, 0, 4, 1, 3, 0, 2) },
            (l, x) => NPairs(x["z"], Longs(x["y"])),
            () => new() { ["z"] = Param(5, 4, 5), ["y"] = Of(1, 1, 1, 1) }, 0.0),

        new ZooCase("SupConPml", () => new SupConPml(),
            s => new() { ["z"] = Param(s, 10, 5), ["y"] = Of(0, 1, 0, 2, 1, 0, 3, 1, 2, 0) },
            (l, x) => SupCon(x["z"], Longs(x["y"]), ((SupConPml)l).Temperature, pmlGuard: true),
            () => new() { ["z"] = Param(5, 4, 5), ["y"] = Of(1, 1, 1, 1) }, 0.0),

        new ZooCase("SupConKhosla", () => new SupConKhosla { Temperature = 0.1 },
            s => new() { ["z"] = Param(s, 10, 5), ["y"] = Of(0, 1, 0, 2, 1, 0, 3, 1, 2, 0) },
            (l, x) => SupCon(x["z"], Longs(x["y"]), ((SupConKhosla)l).Temperature, pmlGuard: false) * (0.1 / 0.07),
            () => new() { ["z"] = Param(5, 4, 5), ["y"] = Of(1, 1, 1, 1) }, null),

        new ZooCase("MultiLabelSupCon", () => new MultiLabelSupCon(),
            s => new() { ["z"] = Param(s, 8, 5), ["labels"] = MultiHot(s, 8, 4) },
            (l, x) => MultiLabelSupCon(x["z"], x["labels"], ((MultiLabelSupCon)l).Temperature),
            () => new() { ["z"] = Param(5, 1, 5), ["labels"] = MultiHot(5, 1, 4) }, 0.0),

        new ZooCase("TripletSemiHardMined", () => new TripletSemiHardMined { Margin = 0.1, MinerMargin = 0.5 },
            s => new() { ["z"] = Param(s, 12, 3), ["y"] = Labels(s, 12, 3) },
            (l, x) => SemiHard(x["z"], Longs(x["y"]), 0.1, 0.5),
            () => new() { ["z"] = Param(5, 5, 3), ["y"] = Of(2, 2, 2, 2, 2) }, 0.0),

        new ZooCase("CosineContrastive", () => new CosineContrastive { PosMargin = 0.9, NegMargin = 0.1 },
            s => new() { ["z"] = Param(s, 10, 4), ["y"] = Labels(s, 10, 3) },
            (l, x) => CosineContrastive(x["z"], Longs(x["y"]), 0.9, 0.1),
            () => new() { ["z"] = Param(5, 1, 4), ["y"] = Of(0) }, 0.0),

        new ZooCase("CrossBatchMemoryContrastive", () => new CrossBatchMemoryContrastive { PosMargin = 0.3, NegMargin = 1.2 },
            s => new()
            {
                ["z"] = Param(s, 6, 4), ["y"] = Labels(s, 6, 3), ["memory"] = Randn(s + 1, 9, 4), ["memoryLabels"] = Labels(s + 2, 9, 3),
                ["memorySlot"] = Of(3, 4, 5, 6, 7, -1),
            },
            (l, x) => MemoryContrastive(x, 0.3, 1.2),
            () => new() { ["z"] = Param(5, 1, 4), ["y"] = Of(1), ["memory"] = Randn(6, 1, 4), ["memoryLabels"] = Of(1), ["memorySlot"] = Of(0) }, 0.0),

        // ---- metric-learning seed papers ------------------------------------------------------------
        new ZooCase("ProtoTriplet", () => new ProtoTriplet { Margin = 0.7 },
            s => new()
            {
                ["query"] = Param(s, 7, 4), ["queryLabels"] = Of(0, 1, 2, 3, 1, 0, 2),
                ["support"] = Param(s + 1, 9, 4), ["supportLabels"] = Of(0, 0, 0, 1, 2, 2, 1, 0, 3),
            },
            (l, x) => ProtoTriplet(x, 0.7),
            () => new() { ["query"] = Param(5, 3, 4), ["queryLabels"] = Of(0, 1, 0), ["support"] = Param(6, 3, 4), ["supportLabels"] = Of(0, 0, 0) }, 0.0),

        new ZooCase("Icnn", () => new Icnn(),
            s => new() { ["z"] = Param(s, 10, 4), ["y"] = Of(0, 1, 0, 2, 1, 0, 3, 1, 2, 0) },
            (l, x) => Icnn(x["z"], Longs(x["y"])),
            () => new() { ["z"] = Param(5, 4, 4), ["y"] = Of(1, 1, 1, 1) }, 0.0),

        new ZooCase("MetrixContrastive", () => new MetrixContrastive { PosMargin = 0.2, NegMargin = 1.1 },
            s => new()
            {
                ["z"] = Param(s, 7, 4), ["y"] = Labels(s, 7, 3), ["mixed"] = Param(s + 1, 5, 4),
                ["y1"] = Of(0, 1, 2, 0, 1), ["y2"] = Of(1, 2, 2, 1, 0), ["lambda"] = Rand(s + 2, 5),
            },
            (l, x) => Metrix(x, 0.2, 1.1),
            () => new()
            {
                ["z"] = Param(5, 2, 4), ["y"] = Of(1, 1), ["mixed"] = Param(6, 1, 4), ["y1"] = Of(1), ["y2"] = Of(1), ["lambda"] = Rand(7, 1),
            }, null),

        new ZooCase("ContrastiveWithStatistics", () => new ContrastiveWithStatistics { Temperature = 0.3 },
            s => new() { ["z"] = Param(s, 8, 5) },
            (l, x) => TwoViewContrast(x["z"], 0.3),
            () => new() { ["z"] = Param(5, 1, 5) }, 0.0),

        new ZooCase("HardNegativeClip", () => new HardNegativeClip { Temperature = 0.1 },
            s => new() { ["image"] = Param(s, 6, 5), ["text"] = Param(s + 1, 6, 5), ["hardNegatives"] = Param(s + 2, 6, 3, 5) },
            (l, x) => HardNegativeClip(x, 0.1),
            () => new() { ["image"] = Param(5, 1, 5), ["text"] = Param(6, 1, 5), ["hardNegatives"] = Param(7, 1, 2, 5) }, null),

        new ZooCase("PrototypeEmbedding", () => new PrototypeEmbedding { Temperature = 0.2, Gamma = 1.5 },
            s => new() { ["u"] = Param(s, 9, 5), ["y"] = Labels(s, 9, 4), ["prototypes"] = Param(s + 1, 4, 5) },
            (l, x) => PeNet(x, 0.2, 1.5),
            () => new() { ["u"] = Param(5, 2, 5), ["y"] = Of(0, 0), ["prototypes"] = Param(6, 1, 5) }, 1e-6),

        new ZooCase("LanguageGuidedRelation", () => new LanguageGuidedRelation(),
            s => new() { ["z"] = Param(s, 9, 5), ["y"] = Of(0, 1, 0, 3, 1, 0, 3, 1, 0), ["language"] = Randn(s + 1, 5, 6) },
            (l, x) => Lango(x),
            () => new() { ["z"] = Param(5, 3, 5), ["y"] = Of(2, 2, 2), ["language"] = Randn(6, 4, 6) }, 0.0),

        // ---- distillation ---------------------------------------------------------------------------
        new ZooCase("FitNet", () => new FitNet(),
            s => new() { ["student"] = Param(s, 6, 7), ["teacher"] = Randn(s + 1, 6, 7) },
            (l, x) => F.mse_loss(x["student"], x["teacher"]),
            () => new() { ["student"] = Param(5, 1, 7), ["teacher"] = Randn(6, 1, 7) }, null),

        new ZooCase("AttentionTransfer", () => new AttentionTransfer(),
            s => new() { ["student"] = Param(s, 3, 4, 5, 6), ["teacher"] = Randn(s + 1, 3, 7, 5, 6) },
            (l, x) => (At(x["student"]) - At(x["teacher"])).pow(2).mean(),
            () => new() { ["student"] = Param(5, 1, 2, 2, 3), ["teacher"] = zeros(1, 3, 2, 3, float64) }, null),

        new ZooCase("SimilarityPreserving", () => new SimilarityPreserving(),
            s => new() { ["student"] = Param(s, 6, 5), ["teacher"] = Randn(s + 1, 6, 8) },
            (l, x) => RepDistillerSp(x["student"], x["teacher"]),
            () => new() { ["student"] = Param(5, 1, 5), ["teacher"] = Randn(6, 1, 8) }, 0.0),

        new ZooCase("CorrelationCongruence", () => new CorrelationCongruence(),
            s => new() { ["student"] = Param(s, 6, 5), ["teacher"] = Randn(s + 1, 6, 5) },
            (l, x) =>
            {
                var delta = (x["student"] - x["teacher"]).abs();
                var n = delta.shape[0];
                return (delta.narrow(0, 0, n - 1) * delta.narrow(0, 1, n - 1)).sum(1).mean();
            },
            () => new() { ["student"] = Param(5, 1, 5), ["teacher"] = Randn(6, 1, 5) }, 0.0),

        new ZooCase("Nst", () => new Nst(),
            s => new() { ["student"] = Param(s, 3, 4, 6), ["teacher"] = Randn(s + 1, 3, 5, 6) },
            (l, x) =>
            {
                var fs = F.normalize(x["student"], 2.0, 2);
                var ft = F.normalize(x["teacher"], 2.0, 2);
                return Poly(ft, ft).mean() + Poly(fs, fs).mean() - 2 * Poly(fs, ft).mean();
            },
            () => new() { ["student"] = Param(5, 1, 1, 6), ["teacher"] = Randn(6, 1, 1, 6) }, null),

        new ZooCase("NormDirection", () => new NormDirection(),
            s => new() { ["student"] = Param(s, 8, 5), ["teacher"] = Randn(s + 1, 8, 5) * 1.5, ["y"] = Labels(s, 8, 3), ["centers"] = Randn(s + 2, 3, 5) },
            (l, x) => NormDirection(x["student"], x["teacher"], x["centers"].index_select(0, x["y"]), 2),
            () => new() { ["student"] = Param(5, 1, 5), ["teacher"] = Randn(6, 1, 5), ["y"] = Of(0), ["centers"] = Randn(7, 1, 5) }, null),

        new ZooCase("NormDirectionPerSample", () => new NormDirectionPerSample(),
            s => new() { ["student"] = Param(s, 8, 5), ["teacher"] = Randn(s + 1, 8, 5) * 1.5, ["centers"] = Randn(s + 2, 8, 5) },
            (l, x) => NormDirection(x["student"], x["teacher"], x["centers"], 1.5),
            () => new() { ["student"] = Param(5, 1, 5), ["teacher"] = Randn(6, 1, 5), ["centers"] = Randn(7, 1, 5) }, null),

        new ZooCase("ClassRelationKd", () => new ClassRelationKd { KdTemperature = 2, Alpha = 0.5 },
            s => new()
            {
                ["known"] = Param(s, 9, 4), ["novel"] = Param(s + 1, 9, 3), ["old"] = Randn(s + 2, 9, 4),
                ["unlabelled"] = tensor(new double[] { 1, 0, 1, 1, 0, 0, 1, 0, 1 }, float64),
            },
            (l, x) => CrKd(x, 0.1, 2, 0.5),
            () => new()
            {
                ["known"] = Param(5, 2, 4), ["novel"] = Param(6, 2, 3), ["old"] = Randn(7, 2, 4), ["unlabelled"] = zeros(2, float64),
            }, 0.0),

        new ZooCase("TokenRelationGraph", () => new TokenRelationGraph { Temperature = 0.5 },
            s => new() { ["student"] = Param(s, 3, 5, 4), ["teacher"] = Randn(s + 1, 3, 5, 4) },
            (l, x) => Trg(x["student"], x["teacher"], 0.5),
            () => new() { ["student"] = Param(5, 2, 1, 4), ["teacher"] = Randn(6, 2, 1, 4) }, 0.0),

        new ZooCase("PrototypeSampleRelation", () => new PrototypeSampleRelation { Temperature = 0.2, Lambda = 0.7 },
            s => new()
            {
                ["z"] = Param(s, 8, 5), ["y"] = Labels(s, 8, 3), ["prototypes"] = Param(s + 1, 3, 5),
                ["oldZ"] = Randn(s + 2, 8, 5), ["oldPrototypes"] = Randn(s + 3, 4, 5),
            },
            (l, x) => Prd(x, 0.2, 0.7),
            () => new()
            {
                ["z"] = Param(5, 1, 5), ["y"] = Of(0), ["prototypes"] = Param(6, 2, 5), ["oldZ"] = Randn(7, 1, 5), ["oldPrototypes"] = Randn(8, 2, 5),
            }, null),

        new ZooCase("DualHeadKd", () => new DualHeadKd { T = 3, Alpha = 0.8, Beta = 0.4 },
            s => new() { ["student"] = Param(s, 7, 5), ["y"] = Labels(s, 7, 5), ["teacher"] = Randn(s + 1, 7, 5), ["auxiliary"] = Param(s + 2, 7, 5) },
            (l, x) => F.cross_entropy(x["student"], x["y"]) + 0.8 * 9 * Kl(x["teacher"] / 3, x["student"] / 3) + 0.4 * F.mse_loss(x["auxiliary"], x["teacher"]),
            () => new() { ["student"] = Param(5, 1, 5), ["y"] = Of(4), ["teacher"] = Randn(6, 1, 5), ["auxiliary"] = Param(7, 1, 5) }, null),

        new ZooCase("TrilateralGeometryKd", () => new TrilateralGeometryKd { T = 2 },
            s => new() { ["student"] = Param(s, 7, 5), ["teacher"] = Randn(s + 1, 7, 5), ["y"] = Labels(s, 7, 5), ["ratio"] = Rand(s + 2, 7).requires_grad_(true) },
            (l, x) =>
            {
                var ce = F.cross_entropy(x["student"], x["y"], reduction: nn.Reduction.None);
                var pt = (x["teacher"] / 2).softmax(-1);
                var kl = (pt * (pt.log() - (x["student"] / 2).log_softmax(-1))).sum(-1);
                return (x["ratio"] * ce + (1 - x["ratio"]) * kl * 4).mean();
            },
            () => new() { ["student"] = Param(5, 1, 5), ["teacher"] = Randn(6, 1, 5), ["y"] = Of(1), ["ratio"] = tensor(new[] { 0.25 }, float64) }, null),

        new ZooCase("LabelAgnosticForgetting", () => new LabelAgnosticForgetting { Temperature = 0.3 },
            s => new() { ["z"] = Param(s, 7, 5), ["original"] = Randn(s + 1, 7, 5) },
            (l, x) => F.cross_entropy(Cos(x["z"], x["original"]) / 0.3, arange(x["z"].shape[0], int64)),
            () => new() { ["z"] = Param(5, 1, 5), ["original"] = Randn(6, 1, 5) }, 0.0),

        new ZooCase("QualityContrastiveRationale", () => new QualityContrastiveRationale { Temperature = 0.4 },
            s => new()
            {
                ["z"] = Param(s, 6, 5), ["positives"] = Param(s + 1, 6, 5), ["negatives"] = Param(s + 2, 6, 3, 5),
                ["positiveQuality"] = Rand(s + 3, 6), ["negativeQuality"] = Rand(s + 4, 6, 3) - 0.2,
            },
            (l, x) => Qcrd(x, 0.4),
            () => new()
            {
                ["z"] = Param(5, 2, 5), ["positives"] = Param(6, 2, 5), ["negatives"] = Param(7, 2, 3, 5),
                ["positiveQuality"] = zeros(2, float64), ["negativeQuality"] = Rand(8, 2, 3),
            }, 0.0),
    };

    // ---- hand-written formulations ----------------------------------------------------------------

    private static Tensor NPairs(Tensor z, long[] y)
    {
        // PML: for each label (ascending), its first sample is the anchor, its second the positive.
        var pairs = y.Distinct().OrderBy(c => c)
            .Select(c => Enumerable.Range(0, y.Length).Where(i => y[i] == c).ToArray())
            .Where(members => members.Length >= 2)
            .Select(members => (members[0], members[1])).ToList();
        if (pairs.Count == 0) return Zero();
        var anchors = z.index_select(0, Of(pairs.Select(p => (long)p.Item1).ToArray()));
        var positives = z.index_select(0, Of(pairs.Select(p => (long)p.Item2).ToArray()));
        return F.cross_entropy(Cos(anchors, positives), arange(pairs.Count, int64));
    }

    private static Tensor SupCon(Tensor z, long[] y, double t, bool pmlGuard)
    {
        var n = y.Length;
        var s = Cos(z, z) / t;
        if (pmlGuard && y.Distinct().Count() < 2) return Zero();
        var perAnchor = new List<Tensor>();
        for (var i = 0; i < n && n > 1; i++)
        {
            var denominator = Lse(Enumerable.Range(0, n).Where(j => j != i).Select(j => s[i, j]).ToList());
            var positives = Enumerable.Range(0, n).Where(j => j != i && y[j] == y[i]).Select(p => denominator - s[i, p]).ToList();
            perAnchor.Add(positives.Count == 0 ? Zero() : Mean(positives));
        }
        return pmlGuard ? MeanNonZero(perAnchor) : Mean(perAnchor);
    }

    private static Tensor MultiHot(int seed, long n, long labels)
    {
        var m = (Rand(seed, n, labels) > 0.55).to(float64);
        m[0, 0] = tensor(1.0, float64);
        return m;
    }

    private static Tensor MultiLabelSupCon(Tensor z, Tensor labels, double t)
    {
        var n = (int)z.shape[0];
        var s = Cos(z, z) / t;
        var y = labels.data<double>().ToArray();
        var width = (int)labels.shape[1];
        double Jaccard(int i, int j)
        {
            double inter = 0, union = 0;
            for (var k = 0; k < width; k++)
            {
                inter += Math.Min(y[i * width + k], y[j * width + k]);
                union += Math.Max(y[i * width + k], y[j * width + k]);
            }
            return union == 0 ? 0 : inter / union;
        }
        var perAnchor = new List<Tensor>();
        for (var i = 0; i < n; i++)
        {
            var denominator = Lse(Enumerable.Range(0, n).Where(j => j != i).Select(j => s[i, j]).ToList());
            var weights = Enumerable.Range(0, n).Select(j => j == i ? 0 : Jaccard(i, j)).ToArray();
            if (weights.Sum() == 0) continue;
            perAnchor.Add(Sum(Enumerable.Range(0, n).Where(j => weights[j] > 0).Select(j => (denominator - s[i, j]) * weights[j]).ToList()) / weights.Sum());
        }
        return Mean(perAnchor);
    }

    private static Tensor SemiHard(Tensor z, long[] y, double margin, double minerMargin)
    {
        var d = cdist(Unit(z), Unit(z));
        var terms = new List<Tensor>();
        for (var a = 0; a < y.Length; a++)
        for (var p = 0; p < y.Length; p++)
        for (var q = 0; q < y.Length; q++)
        {
            if (p == a || y[p] != y[a] || y[q] == y[a]) continue;
            var gap = (d[a, q] - d[a, p]).item<double>();
            if (gap > 0 && gap <= minerMargin) terms.Add(Relu(d[a, p] - d[a, q] + margin));
        }
        return MeanNonZero(terms);
    }

    private static Tensor CosineContrastive(Tensor z, long[] y, double posMargin, double negMargin)
    {
        var s = Cos(z, z);
        var positive = new List<Tensor>();
        var negative = new List<Tensor>();
        for (var i = 0; i < y.Length; i++)
        for (var j = 0; j < y.Length; j++)
        {
            if (i == j) continue;
            if (y[i] == y[j]) positive.Add(Relu(posMargin - s[i, j]));
            else negative.Add(Relu(s[i, j] - negMargin));
        }
        return MeanNonZero(positive) + MeanNonZero(negative);
    }

    private static Tensor MemoryContrastive(IReadOnlyDictionary<string, Tensor> x, double posMargin, double negMargin)
    {
        var (z, y, memory, memoryLabels, slots) = (x["z"], Longs(x["y"]), x["memory"], Longs(x["memoryLabels"]), Longs(x["memorySlot"]));
        var positive = new List<Tensor>();
        var negative = new List<Tensor>();
        for (var i = 0; i < y.Length; i++)
        for (var j = 0; j < memoryLabels.Length; j++)
        {
            var d = Dist(Unit(z[i]), Unit(memory[j]));
            if (y[i] == memoryLabels[j] && slots[i] != j) positive.Add(Relu(d - posMargin));
            else if (y[i] != memoryLabels[j]) negative.Add(Relu(negMargin - d));
        }
        return MeanNonZero(positive) + MeanNonZero(negative);
    }

    private static Tensor ProtoTriplet(IReadOnlyDictionary<string, Tensor> x, double margin)
    {
        var (query, queryLabels, support, supportLabels) = (x["query"], Longs(x["queryLabels"]), x["support"], Longs(x["supportLabels"]));
        var classes = supportLabels.Distinct().OrderBy(c => c).ToArray();
        var prototypes = classes.ToDictionary(c => c, c => support.index_select(0, Of(Enumerable.Range(0, supportLabels.Length)
            .Where(j => supportLabels[j] == c).Select(j => (long)j).ToArray())).mean(new long[] { 0 }));
        var terms = new List<Tensor>();
        for (var q = 0; q < queryLabels.Length; q++)
        {
            if (!prototypes.ContainsKey(queryLabels[q])) continue;
            var positive = Dist(query[q], prototypes[queryLabels[q]]);
            foreach (var c in classes.Where(c => c != queryLabels[q]))
                terms.Add(Relu(positive - Dist(query[q], prototypes[c]) + margin));
        }
        return Mean(terms);
    }

    private static Tensor Icnn(Tensor z, long[] y)
    {
        var d = cdist(Unit(z), Unit(z));
        var terms = new List<Tensor>();
        for (var i = 0; i < y.Length; i++)
        {
            var same = Enumerable.Range(0, y.Length).Where(j => j != i && y[j] == y[i]).Select(j => d[i, j]).ToList();
            var other = Enumerable.Range(0, y.Length).Where(j => y[j] != y[i]).Select(j => d[i, j]).ToList();
            if (same.Count == 0 || other.Count == 0) continue;
            var nearestSame = stack(same).min();
            var nearestOther = stack(other).min();
            terms.Add(nearestSame / (nearestSame + nearestOther));
        }
        return Mean(terms);
    }

    private static Tensor Metrix(IReadOnlyDictionary<string, Tensor> x, double posMargin, double negMargin)
    {
        var (z, y, mixed, y1, y2) = (x["z"], Longs(x["y"]), x["mixed"], Longs(x["y1"]), Longs(x["y2"]));
        var lambda = x["lambda"].data<double>().ToArray();
        Tensor pos = Zero(), neg = Zero();
        double posWeight = 0, negWeight = 0;
        for (var i = 0; i < y.Length; i++)
        for (var j = 0; j < y1.Length; j++)
        {
            var w = lambda[j] * (y[i] == y1[j] ? 1 : 0) + (1 - lambda[j]) * (y[i] == y2[j] ? 1 : 0);
            var d = Dist(Unit(z[i]), Unit(mixed[j]));
            if (w > 0) { pos = pos + Relu(d - posMargin) * w; posWeight += w; }
            if (1 - w > 0) { neg = neg + Relu(negMargin - d) * (1 - w); negWeight += 1 - w; }
        }
        return (posWeight > 0 ? pos / posWeight : Zero()) + (negWeight > 0 ? neg / negWeight : Zero());
    }

    private static Tensor TwoViewContrast(Tensor z, double t)
    {
        var n = (int)z.shape[0];
        if (n < 2) return Zero();
        var s = Cos(z, z) / t;
        return Mean(Enumerable.Range(0, n).Select(i =>
            Lse(Enumerable.Range(0, n).Where(j => j != i).Select(j => s[i, j]).ToList()) - s[i, (i + n / 2) % n]).ToList());
    }

    private static Tensor HardNegativeClip(IReadOnlyDictionary<string, Tensor> x, double t)
    {
        var (image, text, negatives) = (x["image"], x["text"], x["hardNegatives"]);
        var n = image.shape[0];
        var s = Cos(image, text) / t;
        var targets = arange(n, int64);
        var rows = Enumerable.Range(0, (int)n).Select(i => cat(new[] { s[i], (Cos(image[i].unsqueeze(0), negatives[i]) / t).squeeze(0) }, 0)).ToArray();
        return 0.5 * F.cross_entropy(stack(rows), targets) + 0.5 * F.cross_entropy(s.t(), targets);
    }

    private static Tensor PeNet(IReadOnlyDictionary<string, Tensor> x, double t, double gamma)
    {
        var (u, y, c) = (x["u"], x["y"], x["prototypes"]);
        var k = (int)c.shape[0];
        var matching = F.cross_entropy(Cos(u, c) / t, y);
        var cos = Cos(c, c);
        var distinct = Mean(Enumerable.Range(0, k).Select(i =>
            (Sum(Enumerable.Range(0, k).Where(j => j != i).Select(j => cos[i, j].pow(2)).ToList()) + 1e-12).sqrt()).ToList());
        var unit = Unit(c);
        var separation = Mean(Enumerable.Range(0, k).Select(i =>
        {
            var others = Enumerable.Range(0, k).Where(j => j != i).Select(j => (unit[i] - unit[j]).pow(2).sum()).ToList();
            return others.Count == 0 ? Zero() : Relu(gamma - stack(others).min());
        }).ToList());
        return matching + distinct + separation;
    }

    private static Tensor Lango(IReadOnlyDictionary<string, Tensor> x)
    {
        var (z, y, language) = (x["z"], Longs(x["y"]), x["language"]);
        var present = y.Distinct().OrderBy(c => c).ToArray();
        var means = present.Select(c => z.index_select(0, Of(Enumerable.Range(0, y.Length).Where(i => y[i] == c).Select(i => (long)i).ToArray())).mean(new long[] { 0 })).ToArray();
        var terms = new List<Tensor>();
        for (var a = 0; a < present.Length; a++)
        for (var b = 0; b < present.Length; b++)
        {
            if (a == b) continue;
            var visual = F.cosine_similarity(means[a].unsqueeze(0), means[b].unsqueeze(0), 1, 1e-12).squeeze(0);
            var words = F.cosine_similarity(language[present[a]].unsqueeze(0), language[present[b]].unsqueeze(0), 1, 1e-12).squeeze(0);
            terms.Add((visual - words).pow(2));
        }
        return Mean(terms);
    }

    private static Tensor At(Tensor f) => F.normalize(f.pow(2).mean(new long[] { 1 }).view(f.shape[0], -1), 2.0, 1);

    private static Tensor RepDistillerSp(Tensor fs, Tensor ft)
    {
        var n = fs.shape[0];
        var gs = F.normalize(fs.mm(fs.t()), 2.0, 1);
        var gt = F.normalize(ft.mm(ft.t()), 2.0, 1);
        var diff = gt - gs;
        return (diff * diff).view(-1, 1).sum(new long[] { 0 }).squeeze(0) / (double)(n * n);
    }

    private static Tensor Poly(Tensor a, Tensor b) => (a.unsqueeze(1) * b.unsqueeze(2)).sum(-1).pow(2);

    private static Tensor NormDirection(Tensor s, Tensor t, Tensor centres, double factor)
    {
        var terms = new List<Tensor>();
        for (var i = 0; i < s.shape[0]; i++)
        {
            var (sNorm, tNorm) = (s[i].norm(), t[i].norm());
            var denominator = tNorm.item<double>() > sNorm.item<double>() ? tNorm : sNorm;   // Python's max(a, b)
            terms.Add(1 - (s[i] * (centres[i] / centres[i].norm())).sum() / denominator);
        }
        return factor * stack(terms).mean();
    }

    private static Tensor CrKd(IReadOnlyDictionary<string, Tensor> x, double temperature, double t, double alpha)
    {
        // The authors' KD: the gate from a softmax over all classes, normalised by its mean over the unlabelled rows.
        var rows = Of(x["unlabelled"].data<double>().Select((m, i) => (m, i)).Where(p => p.m > 0).Select(p => (long)p.i).ToArray());
        var known = x["known"].index_select(0, rows) / temperature / t;
        var all = cat(new[] { x["known"], x["novel"] }, 1).index_select(0, rows) / temperature / t;
        var p = (x["old"].index_select(0, rows) / temperature / t).softmax(-1);
        var w = all.softmax(-1).narrow(1, 0, known.shape[1]).sum(-1);
        w = w / w.mean();
        var kd = (-known.log_softmax(-1) * p).sum(-1) * (t * t) * w;
        return alpha * kd.mean();
    }

    private static Tensor Trg(Tensor student, Tensor teacher, double t)
    {
        var graph = new List<Tensor>();
        var context = new List<Tensor>();
        for (var n = 0; n < student.shape[0]; n++)
        {
            var logTarget = (Cos(teacher[n], teacher[n]) / t).log_softmax(-1);
            var logModel = (Cos(student[n], student[n]) / t).log_softmax(-1);
            graph.Add((logTarget.exp() * (logTarget - logModel)).sum(-1).mean());
            context.Add(F.cross_entropy(Cos(student[n], teacher[n]) / t, arange(student.shape[1], int64)));
        }
        return Mean(graph) + Mean(context);
    }

    private static Tensor Kl(Tensor targetLogits, Tensor inputLogits)
    {
        var p = targetLogits.softmax(-1);
        return (p * (p.log() - inputLogits.log_softmax(-1))).sum() / targetLogits.shape[0];
    }

    private static Tensor Prd(IReadOnlyDictionary<string, Tensor> x, double t, double lambda)
    {
        var supCon = SupCon(x["z"], Longs(x["y"]), t, pmlGuard: false);
        var prototypes = F.cross_entropy(Cos(x["z"], x["prototypes"]) / t, x["y"]);
        var relations = Kl(Cos(x["oldZ"], x["oldPrototypes"]) / t, Cos(x["z"], x["oldPrototypes"]) / t);
        return supCon + prototypes + lambda * relations;
    }

    private static Tensor Qcrd(IReadOnlyDictionary<string, Tensor> x, double t)
    {
        var (z, positives, negatives) = (x["z"], x["positives"], x["negatives"]);
        var qPos = x["positiveQuality"].data<double>().ToArray();
        var qNeg = x["negativeQuality"];
        Tensor total = Zero();
        double weight = 0;
        for (var i = 0; i < qPos.Length; i++)
        {
            if (qPos[i] <= 0) continue;
            var pos = Cos(z[i].unsqueeze(0), positives[i].unsqueeze(0)).squeeze() / t;
            var neg = Cos(z[i].unsqueeze(0), negatives[i]).squeeze(0) / t;
            var inner = (F.relu(qNeg[i]) * (neg - pos).exp()).sum();
            total = total + (1 + inner).log() * qPos[i];
            weight += qPos[i];
        }
        return weight > 0 ? total / weight : Zero();
    }
}
