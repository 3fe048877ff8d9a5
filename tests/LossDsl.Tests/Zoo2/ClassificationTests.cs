using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Cli;
using LossDsl.Runtime;
using LossDsl.Tests.Oracle;
using LossDsl.Zoo;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Tests.Zoo2;

/// <summary>Self-adjusting Dice and Tversky (ShannonAI), OHEM's mask, the spherical Z-loss, factor-attribution consistency
/// and KECRS, each against a direct TorchSharp formulation, finite differences and their edge cases.</summary>
public sealed class ClassificationTests
{
    /// <summary>ShannonAI's _multiple_class/_compute_dice_loss, class by class as the authors loop.</summary>
    private static Tensor ShannonMultiClass(Tensor logits, Tensor target, double smooth, double alpha, bool square)
    {
        var classes = logits.shape[1];
        var p = F.softmax(logits, 1);
        var y = F.one_hot(target, classes).to(ScalarType.Float64);
        Tensor? loss = null;
        for (var c = 0; c < classes; c++)
        {
            var pc = p.select(1, c).reshape(-1, 1);
            var yc = y.select(1, c).reshape(-1, 1);
            pc = Mul(Pow(Sub(1.0, pc), alpha), pc);
            var intersection = Mul(pc, yc).sum(-1);
            var denominator = square ? Add(Add(Square(pc).sum(-1), Square(yc).sum(-1)), smooth) : Add(Add(pc.sum(), yc.sum()), smooth);
            var lc = Sub(1.0, Div(Add(Mul(intersection, 2), smooth), denominator));
            loss = loss is null ? lc : Add(loss, lc);
        }
        return loss!.mean();
    }

    [Theory]
    [InlineData(1.0, 0.01, false)]
    [InlineData(1e-4, 0.01, false)]
    [InlineData(1.0, 0.0, false)]
    [InlineData(1.0, 0.01, true)]
    [InlineData(0.5, 0.3, true)]
    public void Multi_class_self_adjusting_dice_matches_the_authors_loop(double smooth, double alpha, bool square)
    {
        var inputs = new Dictionary<string, Tensor> { ["logits"] = ZooCheck.Randn(1, 10, 4), ["target"] = ZooCheck.Randint(2, 4, 10) };
        ILoss loss = square ? new SelfAdjustingDiceSquared { Smooth = smooth, Alpha = alpha } : new SelfAdjustingDice { Smooth = smooth, Alpha = alpha };
        ZooCheck.MatchesReference(loss, inputs, x => ShannonMultiClass(x["logits"], x["target"], smooth, alpha, square));
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "logits" });
    }

    [Fact]
    public void A_class_absent_from_the_batch_still_counts_and_all_equal_logits_are_finite()
    {
        var target = tensor(new long[] { 0, 0, 1, 1, 0 });   // class 2 never occurs
        var equal = zeros(5, 3, ScalarType.Float64);
        var loss = new SelfAdjustingDice { Smooth = 1, Alpha = 0 };
        ZooCheck.MatchesReference(loss, new Dictionary<string, Tensor> { ["logits"] = equal, ["target"] = target },
            x => ShannonMultiClass(x["logits"], x["target"], 1, 0, false));
        // p = 1/3 everywhere: class 2's D = 5/3 + 0 + 1, its l_i = 1 − 1/D for every example.
        var d2 = 5.0 / 3 + 1;
        var total = ZooCheck.Values(loss, new Dictionary<string, Tensor> { ["logits"] = equal, ["target"] = target }).Total;
        Assert.True(total > 1 - 1 / d2 && double.IsFinite(total));
    }

    /// <summary>ShannonAI's _binary_class (mask multiplied into p and y before the self-adjusting weight).</summary>
    private static Tensor ShannonBinary(Tensor logits, Tensor target, Tensor mask, double smooth, double alpha, bool square)
    {
        var p = Mul(logits.sigmoid(), mask);
        var y = Mul(target, mask);
        p = Mul(Pow(Sub(1.0, p), alpha), p);
        var denominator = square ? Add(Add(Square(p).sum(), Square(y).sum()), smooth) : Add(Add(p.sum(), y.sum()), smooth);
        return Sub(1.0, Div(Add(Mul(Mul(p, y).sum(), 2), smooth), denominator));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Binary_self_adjusting_dice_matches_the_authors_code_with_a_mask(bool square)
    {
        var inputs = new Dictionary<string, Tensor>
        {
            ["logits"] = ZooCheck.Randn(3, 16), ["target"] = ZooCheck.Randint(4, 2, 16).to(ScalarType.Float64),
            ["mask"] = ZooCheck.Randint(5, 2, 16).to(ScalarType.Float64),
        };
        ILoss loss = square ? new SelfAdjustingDiceBinarySquared() : new SelfAdjustingDiceBinary();
        ZooCheck.MatchesReference(loss, inputs, x => ShannonBinary(x["logits"], x["target"], x["mask"], 1, 0.01, square), constants: new[] { "target", "mask" });
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "logits" });
        // An all-zero mask: p = y = 0, 1 − s/s = 0.
        inputs["mask"] = zeros(16, ScalarType.Float64);
        Assert.Equal(0.0, ZooCheck.Values(loss, inputs).Total);
    }

    [Fact]
    public void Ohem_keeps_the_authors_negatives_and_positives()
    {
        var c = ZooParityTests.Load("cases_seeds.json").Single(x => x.Name == "dice_nlp_binary_ohem0.3_s1_a0.01_n16");
        var logits = CaseTensors.Input(c, "input").ToTensor().reshape(-1);
        var target = CaseTensors.Input(c, "target").ToTensor().reshape(-1).to(ScalarType.Float64);
        var mask = DiceOhem.KeepMask(logits, target, 0.3);
        var recorded = CaseTensors.Debug(c, "kept_mask", integer: false).reshape(-1);
        Assert.Equal(recorded.data<double>().ToArray(), mask.data<double>().ToArray());
        // keep = 3 reads the second-largest negative: one negative (the largest) survives, as documented.
        var negativesKept = mask.data<double>().Zip(target.data<double>(), (m, t) => m > 0 && t < 0.5).Count(b => b);
        Assert.Equal(1, negativesKept);
    }

    [Fact]
    public void Ohem_follows_pythons_index_for_small_keep_counts()
    {
        // One positive: keep = min(int(1 · 1.0), #neg) = 1 → index 0, the smallest negative: every larger negative survives.
        var logits = tensor(new[] { 2.0, -1.0, 0.5, -3.0, 1.0 });
        var target = tensor(new[] { 1.0, 0, 0, 0, 0 });
        var kept = DiceOhem.KeepMask(logits, target, 1.0).data<double>().ToArray();
        Assert.Equal(new[] { 1.0, 1, 1, 0, 1 }, kept);
        // No positive: keep = 0 → index 1, the second smallest.
        var none = DiceOhem.KeepMask(logits, zeros(5, ScalarType.Float64), 0.3).data<double>().ToArray();
        Assert.Equal(new[] { 1.0, 0, 1, 0, 1 }, none);
    }

    [Fact]
    public void Tversky_with_equal_weights_is_dice_and_with_others_its_formula()
    {
        var inputs = new Dictionary<string, Tensor>
        {
            ["logits"] = ZooCheck.Randn(7, 12), ["target"] = ZooCheck.Randint(8, 2, 12).to(ScalarType.Float64), ["mask"] = ones(12, ScalarType.Float64),
        };
        // a = b = ½ and s: Dice with smoothing 2s.
        Assert.Equal(ZooCheck.Values(new SelfAdjustingDiceBinary { Smooth = 2, Alpha = 0 }, inputs).Total,
            ZooCheck.Values(new TverskyBinary { Smooth = 1 }, inputs).Total, 14);
        var loss = new TverskyBinary { Smooth = 0.5, Alpha = 0.2, FalsePositiveWeight = 0.7, FalseNegativeWeight = 0.3 };
        ZooCheck.MatchesReference(loss, inputs, x =>
        {
            var p = x["logits"].sigmoid();
            p = Mul(Pow(Sub(1.0, p), 0.2), p);
            var y = x["target"];
            var tp = Mul(p, y).sum();
            var index = Div(Add(tp, 0.5), Add(Add(Add(tp, Mul(Mul(p, Sub(1.0, y)).sum(), 0.7)), Mul(Mul(Sub(1.0, p), y).sum(), 0.3)), 0.5));
            return Sub(1.0, index);
        }, constants: new[] { "target", "mask" });
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "logits" });
    }

    [Fact]
    public void The_spherical_z_loss_standardises_each_sample()
    {
        var inputs = new Dictionary<string, Tensor> { ["logits"] = ZooCheck.Randn(9, 6, 5), ["y"] = ZooCheck.Randint(10, 5, 6) };
        var loss = new SphericalZLoss { A = 0.5, B = 1.5 };
        ZooCheck.MatchesReference(loss, inputs, x =>
        {
            var o = x["logits"];
            var z = Div(Sub(o, o.mean(new long[] { 1 }, true)), o.std(1, false, true));
            var zy = z.gather(1, x["y"].unsqueeze(1)).squeeze(1);
            return Div(F.softplus(Mul(Sub(1.5, zy), 0.5)), 0.5).mean();
        });
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "logits" });
        // Shift and scale invariant.
        var moved = new Dictionary<string, Tensor> { ["logits"] = Add(Mul(inputs["logits"], 7.5), 3.25), ["y"] = inputs["y"] };
        Assert.Equal(ZooCheck.Values(loss, inputs).Total, ZooCheck.Values(loss, moved).Total, 13);
    }

    [Fact]
    public void All_equal_logits_give_z_0_with_no_gradient()
    {
        var inputs = ZooCheck.Leaves(new Dictionary<string, Tensor> { ["logits"] = Full(new long[] { 3, 4 }, 2.0, ScalarType.Float64, CPU), ["y"] = tensor(new long[] { 0, 1, 3 }) });
        using var result = new SphericalZLoss { A = 2, B = 1 }.Compute(inputs);
        result.Total.backward();
        Assert.Equal(Math.Log(1 + Math.Exp(2)) / 2, result.Total.item<double>(), 14);
        Assert.Equal(0.0, inputs["logits"].grad!.abs().max().item<double>());
    }

    [Fact]
    public void Factor_consistency_is_the_KL_between_importance_distributions()
    {
        var inputs = new Dictionary<string, Tensor> { ["modelAttributions"] = ZooCheck.Randn(11, 9, 4), ["referenceAttributions"] = ZooCheck.Randn(12, 9, 4) };
        Tensor Importance(Tensor a) { var total = a.abs().sum(new long[] { 0 }); return Div(total, total.sum()); }
        var loss = new FactorAttributionConsistency();
        ZooCheck.MatchesReference(loss, inputs, x =>
        {
            var p = Importance(x["referenceAttributions"]);
            var q = Importance(x["modelAttributions"]);
            return Mul(p, Sub(p.log(), q.log())).sum();
        });
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "modelAttributions", "referenceAttributions" });
        // Equal distributions (any scale): 0. A factor the reference never uses adds 0.
        var scaled = new Dictionary<string, Tensor> { ["modelAttributions"] = Mul(inputs["referenceAttributions"], -3), ["referenceAttributions"] = inputs["referenceAttributions"] };
        Assert.Equal(0.0, ZooCheck.Values(loss, scaled).Total, 14);
        var unused = inputs["referenceAttributions"].clone();
        unused.select(1, 2).zero_();
        var withUnused = new Dictionary<string, Tensor> { ["modelAttributions"] = inputs["modelAttributions"], ["referenceAttributions"] = unused };
        Assert.True(double.IsFinite(ZooCheck.Values(loss, withUnused).Total));
    }

    [Fact]
    public void Kecrs_bag_of_entity_and_infusion()
    {
        var bag = ZooCheck.Randint(13, 2, 5, 8).to(ScalarType.Float64);
        bag[1] = zeros(8, ScalarType.Float64);   // a response without entities adds 0
        var inputs = new Dictionary<string, Tensor>
        {
            ["entityLogits"] = ZooCheck.Randn(14, 5, 8), ["bag"] = bag,
            ["words"] = ZooCheck.Randn(15, 10, 3), ["entities"] = ZooCheck.Randn(16, 8, 3),
            ["pairs"] = stack(new[] { ZooCheck.Randint(17, 10, 6), ZooCheck.Randint(18, 8, 6) }, 1),
        };
        var loss = new Kecrs();
        ZooCheck.MatchesReference(loss, inputs, x =>
        {
            var boe = Mul(F.log_softmax(x["entityLogits"], 1), x["bag"]).sum(1).neg().mean();
            var w = x["words"].index_select(0, x["pairs"].select(1, 0));
            var e = x["entities"].index_select(0, x["pairs"].select(1, 1));
            return Add(boe, Square(Sub(w, e)).sum(1).mean());
        }, constants: new[] { "bag" });
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "entityLogits", "words", "entities" });
        inputs["pairs"] = zeros(0, 2, ScalarType.Int64);
        Assert.Equal(0.0, ZooCheck.Values(loss, inputs).Terms["Infusion"]);
    }
}
