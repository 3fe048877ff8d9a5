using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LossDsl.Cli;
using LossDsl.Runtime;
using LossDsl.Tests.Oracle;
using LossDsl.Zoo;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Tests.Zoo2;

/// <summary>The DPO family: each loss against its formula written directly in TorchSharp (TRL 0.19.1's dpo_loss, read
/// line by line), its float64 gradient against finite differences, the reward metrics, TRL's running moments, the
/// token path and the edge cases (a tied batch, one pair, ties under the AOT sorts).</summary>
public sealed class PreferenceTests
{
    private const double Beta = 0.1;

    /// <summary>Eight preference pairs: sequence log-probabilities around −20 with log-ratios of order 1.</summary>
    private static Dictionary<string, Tensor> Pairs(int seed = 3, long n = 8) => new()
    {
        ["chosen"] = Sub(ZooCheck.Randn(seed, n), 20),
        ["rejected"] = Sub(ZooCheck.Randn(seed + 1, n), 21),
        ["refChosen"] = Sub(ZooCheck.Randn(seed + 2, n), 20),
        ["refRejected"] = Sub(ZooCheck.Randn(seed + 3, n), 21),
    };

    private static Tensor ChosenRatio(IReadOnlyDictionary<string, Tensor> x) => Sub(x["chosen"], x["refChosen"]);
    private static Tensor RejectedRatio(IReadOnlyDictionary<string, Tensor> x) => Sub(x["rejected"], x["refRejected"]);
    private static Tensor Logits(IReadOnlyDictionary<string, Tensor> x) => Sub(Sub(x["chosen"], x["rejected"]), Sub(x["refChosen"], x["refRejected"]));

    /// <summary>TRL's sigmoid link with label smoothing ε: <c>−logsig(βz)(1 − ε) − logsig(−βz) ε</c>.</summary>
    private static Tensor Smoothed(Tensor z, double smoothing) =>
        Sub(Mul(F.logsigmoid(Mul(z, Beta)), -(1 - smoothing)), Mul(F.logsigmoid(Mul(z, -Beta)), smoothing));

    public static TheoryData<string> Losses() => new()
    {
        "conservative", "robust", "exo", "bco", "sppo", "nca", "aot", "aot_pair", "apo_zero", "apo_down", "discopop", "js", "alpha", "forward_kl",
    };

    private static (ILoss Loss, Func<IReadOnlyDictionary<string, Tensor>, Tensor> Reference) Case(string name) => name switch
    {
        "conservative" => (new DpoConservative { Beta = Beta, LabelSmoothing = 0.2 }, x => Smoothed(Logits(x), 0.2).mean()),
        "robust" => (new DpoRobust { Beta = Beta, LabelSmoothing = 0.2 }, x =>
            Div(Add(Mul(F.logsigmoid(Mul(Logits(x), Beta)), -0.8), Mul(F.logsigmoid(Mul(Logits(x), -Beta)), 0.2)), 0.6).mean()),
        "exo" => (new DpoExoPair { Beta = Beta, LabelSmoothing = 0.2 }, x =>
        {
            var z = Mul(Logits(x), Beta);
            return Add(Mul(z.sigmoid(), Sub(F.logsigmoid(z), Math.Log(0.8))), Mul(z.neg().sigmoid(), Sub(F.logsigmoid(z.neg()), Math.Log(0.2)))).mean();
        }),
        "bco" => (new DpoBcoPair { Beta = Beta }, x =>
        {
            var delta = x["delta"];
            return Sub(F.logsigmoid(Sub(Mul(ChosenRatio(x), Beta), delta)).neg(), F.logsigmoid(Sub(Mul(RejectedRatio(x), Beta), delta).neg())).mean();
        }),
        "sppo" => (new DpoSppoHard { Beta = Beta }, x =>
            Add(Square(Sub(ChosenRatio(x), 0.5 / Beta)), Square(Add(RejectedRatio(x), 0.5 / Beta))).mean()),
        "nca" => (new DpoNcaPair { Beta = Beta }, x =>
        {
            var c = Mul(ChosenRatio(x), Beta);
            var r = Mul(RejectedRatio(x), Beta);
            return Sub(Sub(F.logsigmoid(c).neg(), Mul(F.logsigmoid(c.neg()), 0.5)), Mul(F.logsigmoid(r.neg()), 0.5)).mean();
        }),
        "aot" => (new DpoAot { Beta = Beta, LabelSmoothing = 0.1 }, x =>
        {
            var d = Sub(Sub(x["chosen"], x["rejected"]).sort(0).Values, Sub(x["refChosen"], x["refRejected"]).sort(0).Values);
            return Smoothed(d, 0.1).mean();
        }),
        "aot_pair" => (new DpoAotPair { Beta = Beta, LabelSmoothing = 0.1 }, x =>
            Smoothed(Sub(ChosenRatio(x).sort(0).Values, RejectedRatio(x).sort(0).Values), 0.1).mean()),
        "apo_zero" => (new DpoApoZero { Beta = Beta }, x =>
            Add(Sub(1.0, Mul(ChosenRatio(x), Beta).sigmoid()), Mul(RejectedRatio(x), Beta).sigmoid()).mean()),
        "apo_down" => (new DpoApoDown { Beta = Beta }, x =>
            Add(Mul(ChosenRatio(x), Beta).sigmoid(), Sub(1.0, Mul(Sub(ChosenRatio(x), RejectedRatio(x)), Beta).sigmoid())).mean()),
        "discopop" => (new DpoDiscoPop { Beta = Beta, Tau = 0.05 }, x =>
        {
            var z = Mul(Logits(x), Beta);
            var m = Div(z, 0.05).sigmoid();
            return Add(Mul(F.logsigmoid(z).neg(), Sub(1.0, m)), Mul(z.neg().exp(), m)).mean();
        }),
        "js" => (new DpoJsDivergence { Beta = Beta, LabelSmoothing = 0.1 }, x =>
            Smoothed(Sub(Logits(x), Sub(F.softplus(ChosenRatio(x)), F.softplus(RejectedRatio(x)))), 0.1).mean()),
        "alpha" => (new DpoAlphaDivergence { Beta = Beta, Alpha = 0.5 }, x =>
            Smoothed(Div(Sub(Mul(RejectedRatio(x), -0.5).exp(), Mul(ChosenRatio(x), -0.5).exp()), 0.5), 0).mean()),
        "forward_kl" => (new DpoForwardKl { Beta = Beta }, x =>
            Smoothed(Sub(ChosenRatio(x).neg().exp().neg(), RejectedRatio(x).neg().exp().neg()), 0).mean()),
        _ => throw new ArgumentException(name),
    };

    private static string[] Constants(string name) => name == "bco" ? new[] { "delta" } : Array.Empty<string>();

    private static Dictionary<string, Tensor> InputsFor(string name, int seed = 3, long n = 8)
    {
        var inputs = Pairs(seed, n);
        if (name == "bco") inputs["delta"] = ZooCheck.Real(0.03);
        return inputs;
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Each_loss_equals_its_formula_on_every_path(string name)
    {
        var (loss, reference) = Case(name);
        ZooCheck.MatchesReference(loss, InputsFor(name), reference, constants: Constants(name));
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Each_gradient_matches_finite_differences(string name)
    {
        var (loss, _) = Case(name);
        ZooCheck.GradientMatchesFiniteDifferences(loss, InputsFor(name, n: 5), new[] { "chosen", "rejected", "refChosen", "refRejected" });
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_tied_batch_and_a_single_pair_are_finite(string name)
    {
        var (loss, reference) = Case(name);
        // Every log-probability equal: every margin and log-ratio is 0, and the AOT sorts meet ties everywhere.
        var tied = new Dictionary<string, Tensor>
        {
            ["chosen"] = Full(new long[] { 6 }, -3.0, ScalarType.Float64, CPU), ["rejected"] = Full(new long[] { 6 }, -3.0, ScalarType.Float64, CPU),
            ["refChosen"] = Full(new long[] { 6 }, -3.0, ScalarType.Float64, CPU), ["refRejected"] = Full(new long[] { 6 }, -3.0, ScalarType.Float64, CPU),
        };
        if (name == "bco") tied["delta"] = ZooCheck.Real(0);
        ZooCheck.MatchesReference(loss, tied, reference, constants: Constants(name));
        ZooCheck.MatchesReference(loss, InputsFor(name, seed: 11, n: 1), reference, constants: Constants(name));
    }

    [Fact]
    public void A_tied_batch_gives_the_documented_values()
    {
        var tied = new Dictionary<string, Tensor>
        {
            ["chosen"] = Full(new long[] { 4 }, -2.0, ScalarType.Float64, CPU), ["rejected"] = Full(new long[] { 4 }, -2.0, ScalarType.Float64, CPU),
            ["refChosen"] = Full(new long[] { 4 }, -2.0, ScalarType.Float64, CPU), ["refRejected"] = Full(new long[] { 4 }, -2.0, ScalarType.Float64, CPU),
        };
        var (total, terms) = ZooCheck.Values(new DpoConservative { LabelSmoothing = 0.3 }, tied);
        Assert.Equal(Math.Log(2), total, 14);                 // −log σ(0) whatever the smoothing
        Assert.Equal(0.0, terms["RewardAccuracy"]);            // a tie is not a win
        Assert.Equal(0.0, terms["RewardMargin"]);
        Assert.Equal(1.0, ZooCheck.Values(new DpoApoZero(), tied).Total, 14);   // 1 − σ(0) + σ(0) per pair
    }

    [Fact]
    public void The_metric_terms_are_TRLs_rewards_and_carry_no_gradient()
    {
        var inputs = ZooCheck.Leaves(Pairs());
        using var result = new DpoRobust { Beta = 0.5 }.Compute(inputs);
        var chosenRewards = Mul(Sub(inputs["chosen"], inputs["refChosen"]), 0.5).detach();
        var rejectedRewards = Mul(Sub(inputs["rejected"], inputs["refRejected"]), 0.5).detach();
        Assert.Equal(chosenRewards.mean().item<double>(), result["ChosenReward"].Raw.item<double>(), 14);
        Assert.Equal(rejectedRewards.mean().item<double>(), result["RejectedReward"].Raw.item<double>(), 14);
        Assert.Equal(Sub(chosenRewards, rejectedRewards).mean().item<double>(), result["RewardMargin"].Raw.item<double>(), 14);
        Assert.Equal(chosenRewards.gt(rejectedRewards).to(ScalarType.Float64).mean().item<double>(), ZooCheck.AsDouble(result["RewardAccuracy"].Raw), 6);
        foreach (var metric in new[] { "ChosenReward", "RejectedReward", "RewardMargin", "RewardAccuracy" })
        {
            Assert.Equal(0.0, result[metric].Weight);
            Assert.False(result[metric].Raw.requires_grad, metric + " carries a gradient");
        }
        Assert.Equal(result["Preference"].Raw.item<double>(), result.Total.item<double>(), 15);
    }

    [Fact]
    public void The_metric_terms_match_the_rewards_TRL_recorded()
    {
        foreach (var c in ZooParityTests.Load("cases_seeds.json").Where(c => c.Name.StartsWith("dpo_", StringComparison.Ordinal) && !c.Name.StartsWith("dpo_head", StringComparison.Ordinal)))
        {
            using var scope = NewDisposeScope();
            var mapped = ReferenceMap.Resolve(c);
            var tensors = c.InputNames.ToDictionary(n => n, n => CaseTensors.Input(c, n).ToTensor());
            var inputs = mapped.Adapt is { } adapt ? adapt(tensors) : mapped.InputNames.ToDictionary(p => p.Value, p => tensors[p.Key]);
            using var result = mapped.Loss.Compute(inputs);
            var debug = c.Json.GetProperty("debug");
            double Mean(string key) => debug.GetProperty(key).EnumerateArray().Average(e => e.GetDouble());
            Assert.Equal(Mean("chosen_rewards"), result["ChosenReward"].Raw.item<double>(), 12);
            Assert.Equal(Mean("rejected_rewards"), result["RejectedReward"].Raw.item<double>(), 12);
        }
    }

    [Theory]
    [InlineData("dpo_bco_pair_fresh_beta0.1_b8")]
    [InlineData("dpo_bco_pair_state_beta0.1_b8")]
    public void RunningMoments_reproduces_TRLs_float32_state(string name)
    {
        var c = ZooParityTests.Load("cases_seeds.json").Single(x => x.Name == name);
        var p = c.Params;
        var before = p.GetProperty("running_state_before");
        var after = p.GetProperty("running_state_after");
        double Read(JsonElement e, string key) => CaseTensors.ReadDouble(e.GetProperty(key), key);
        var moments = new RunningMoments(Read(before, "mean"), Read(before, "var"), Read(before, "std"), Read(before, "count"));
        var rewards = RunningMoments.BcoRewards(CaseTensors.Input(c, "chosen_logps").ToTensor(), CaseTensors.Input(c, "rejected_logps").ToTensor(),
            CaseTensors.Input(c, "ref_chosen_logps").ToTensor(), CaseTensors.Input(c, "ref_rejected_logps").ToTensor(), Read(p, "beta"));

        var delta = moments.Update(rewards);

        Assert.Equal(Read(p, "running_mean_as_used"), delta.item<double>());   // bit for bit
        Assert.Equal(Read(after, "mean"), moments.Mean);
        Assert.Equal(Read(after, "var"), moments.Variance);
        Assert.Equal(Read(after, "std"), moments.Std);
        Assert.Equal(Read(after, "count"), moments.Count);
        Assert.False(delta.requires_grad);
    }

    [Fact]
    public void RunningMoments_accumulates_like_a_running_mean_across_batches()
    {
        var moments = new RunningMoments();
        var values = new[] { 0.5, -0.25, 1.0, 0.125 };
        foreach (var v in values) moments.Update(ZooCheck.Real(v));
        Assert.Equal(values.Average(), moments.Mean, 6);   // float32 increments
        Assert.Equal(4.0, moments.Count, 12);
        Assert.Throws<ArgumentException>(() => moments.Update(zeros(0, ScalarType.Float64)));
    }

    [Fact]
    public void A_loss_type_list_is_one_weighted_term_per_type()
    {
        var inputs = Pairs(13);
        inputs["delta"] = ZooCheck.Real(-0.02);
        inputs["chosenLengths"] = tensor(new[] { 5.0, 7, 3, 9, 4, 6, 8, 2 });
        var loss = new Mpo { Beta = Beta };
        ZooCheck.MatchesReference(loss, inputs, x =>
        {
            var sigmoid = F.logsigmoid(Mul(Logits(x), Beta)).neg().mean();
            var bco = Case("bco").Reference(x);
            var sft = Div(x["chosen"].sum().neg(), x["chosenLengths"].sum());
            return Add(Add(Mul(sigmoid, 0.8), Mul(bco, 0.2)), sft);
        }, constants: new[] { "delta", "chosenLengths" });
        var (total, terms) = ZooCheck.Values(loss, inputs);
        Assert.Equal(0.8 * terms["Sigmoid"] + 0.2 * terms["BcoPair"] + terms["Sft"], total, 13);
        Assert.Equal(ZooCheck.Values(new DpoSigmoid { Beta = Beta }, Pairs(13)).Total, terms["Sigmoid"], 15);
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "chosen", "rejected" });
    }

    /// <summary>Causal-LM batches: logits <c>[N, T, V]</c>, tokens and a completion mask (prompt of 2, then completion).</summary>
    private static Dictionary<string, Tensor> TokenBatch(int seed, long n = 3, long chosenLength = 6, long rejectedLength = 5, long vocabulary = 7)
    {
        Tensor Mask(long t) => cat(new[] { zeros(n, 2, ScalarType.Float64), ones(n, t - 2, ScalarType.Float64) }, 1);
        return new Dictionary<string, Tensor>
        {
            ["chosenLogits"] = ZooCheck.Randn(seed, n, chosenLength, vocabulary),
            ["chosenTokens"] = ZooCheck.Randint(seed + 1, vocabulary, n, chosenLength),
            ["chosenMask"] = Mask(chosenLength),
            ["rejectedLogits"] = ZooCheck.Randn(seed + 2, n, rejectedLength, vocabulary),
            ["rejectedTokens"] = ZooCheck.Randint(seed + 3, vocabulary, n, rejectedLength),
            ["rejectedMask"] = Mask(rejectedLength),
            ["refChosen"] = Sub(ZooCheck.Randn(seed + 4, n), 8),
            ["refRejected"] = Sub(ZooCheck.Randn(seed + 5, n), 8),
        };
    }

    /// <summary>TRL main's completion log-probability: shift, gather the log-softmax at the next token, mask, sum.</summary>
    private static Tensor SequenceLogProb(Tensor logits, Tensor tokens, Tensor mask)
    {
        var t = tokens.shape[1];
        var shiftedLogits = logits.narrow(1, 0, t - 1);
        var shiftedTokens = tokens.narrow(1, 1, t - 1);
        var perToken = F.log_softmax(shiftedLogits, -1).gather(-1, shiftedTokens.unsqueeze(-1)).squeeze(-1);
        return Mul(perToken, mask.narrow(1, 1, t - 1)).sum(1);
    }

    [Fact]
    public void DpoTokens_computes_each_completions_log_probability_from_token_logits()
    {
        var loss = new DpoTokens { Beta = 0.2, LabelSmoothing = 0.1 };
        ZooCheck.MatchesReference(loss, TokenBatch(5), x =>
        {
            var chosen = SequenceLogProb(x["chosenLogits"], x["chosenTokens"], x["chosenMask"]);
            var rejected = SequenceLogProb(x["rejectedLogits"], x["rejectedTokens"], x["rejectedMask"]);
            var z = Sub(Sub(chosen, rejected), Sub(x["refChosen"], x["refRejected"]));
            return Sub(Mul(F.logsigmoid(Mul(z, 0.2)), -0.9), Mul(F.logsigmoid(Mul(z, -0.2)), 0.1)).mean();
        });
        ZooCheck.GradientMatchesFiniteDifferences(loss, TokenBatch(6, n: 2, chosenLength: 4, rejectedLength: 3, vocabulary: 3),
            new[] { "chosenLogits", "rejectedLogits", "refChosen" });
    }

    [Fact]
    public void An_empty_completion_mask_gives_log_probability_0_and_no_gradient()
    {
        var batch = TokenBatch(7);
        batch["chosenMask"] = zeros_like(batch["chosenMask"]);
        var inputs = ZooCheck.Leaves(batch);
        using var result = new DpoTokens { Beta = 0.1 }.Compute(inputs);
        result.Total.backward();
        // The chosen completions are empty: log p = 0, so the reward is β (0 − refChosen).
        Assert.Equal(Mul(inputs["refChosen"], -0.1).mean().item<double>(), result["ChosenReward"].Raw.item<double>(), 13);
        Assert.Equal(0.0, inputs["chosenLogits"].grad!.abs().max().item<double>());
        Assert.True(double.IsFinite(result.Total.item<double>()));
    }
}
