using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime;
using LossDsl.Zoo;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Tests.Zoo2;

/// <summary>The unlearning losses against Hugging Face-style TorchSharp code (shift logits and labels, cross-entropy with
/// ignore_index −100), finite differences, and the edge cases: an empty forget batch (0), rows with no label, an all-ignored
/// batch. Forget and retain are separate terms.</summary>
public sealed class UnlearningTests
{
    /// <summary>Logits <c>[n, t, v]</c> and labels with the first <paramref name="prompt"/> tokens of each row ignored (−100).</summary>
    private static (Tensor Logits, Tensor Labels) Batch(int seed, long n, long t, long v, long prompt = 2)
    {
        var labels = ZooCheck.Randint(seed + 1, v, n, t);
        if (prompt > 0) labels.narrow(1, 0, prompt).copy_(Full(new[] { n, prompt }, -100, ScalarType.Int64, CPU));
        return (ZooCheck.Randn(seed, n, t, v), labels);
    }

    /// <summary>open-unlearning's compute_batch_nll: Σ over shifted positions of CE(ignore_index −100), per sequence.</summary>
    private static Tensor BatchNll(Tensor logits, Tensor labels)
    {
        var t = labels.shape[1];
        var v = logits.shape[2];
        var losses = F.cross_entropy(logits.narrow(1, 0, t - 1).reshape(-1, v), labels.narrow(1, 1, t - 1).reshape(-1),
            ignore_index: -100, reduction: nn.Reduction.None);
        return losses.reshape(labels.shape[0], t - 1).sum(1);
    }

    /// <summary>Hugging Face's model(..., labels).loss: the shifted CE averaged over the non-ignored labels.</summary>
    private static Tensor MeanNll(Tensor logits, Tensor labels)
    {
        var t = labels.shape[1];
        var v = logits.shape[2];
        return F.cross_entropy(logits.narrow(1, 0, t - 1).reshape(-1, v), labels.narrow(1, 1, t - 1).reshape(-1), ignore_index: -100);
    }

    [Fact]
    public void SimNpo_follows_the_authors_code()
    {
        var (_, labels) = Batch(1, 6, 9, 5, prompt: 3);
        var inputs = new Dictionary<string, Tensor>
        {
            ["forgetNll"] = Mul(ZooCheck.Randn(2, 6).abs(), 10), ["labels"] = labels, ["retainLoss"] = ZooCheck.Real(1.7),
        };
        var loss = new SimNpo { Beta = 2.5, Delta = 0.5, Gamma = 0.25, Alpha = 0.75 };
        ZooCheck.MatchesReference(loss, inputs, x =>
        {
            var lengths = x["labels"].ne(Full(Array.Empty<long>(), -100, ScalarType.Int64, CPU)).sum(1).to(ScalarType.Float64);
            var forget = Mul(F.logsigmoid(Mul(Sub(Div(x["forgetNll"], lengths), 0.5), 2.5)).mean(), -2 / 2.5);
            return Add(Mul(forget, 0.25), Mul(x["retainLoss"], 0.75));
        });
        ZooCheck.GradientMatchesFiniteDifferences(loss, inputs, new[] { "forgetNll", "retainLoss" });
        var terms = ZooCheck.Values(loss, inputs).Terms;
        Assert.Equal(0.75 * 1.7, terms["Retain"], 14);
    }

    [Fact]
    public void SimNpoTokens_sums_the_shifted_token_NLL_and_counts_unshifted_labels()
    {
        var (logits, labels) = Batch(3, 4, 7, 6, prompt: 2);
        labels[0, 0] = tensor(2L);   // counted in the length, never scored: the authors' quirk
        var inputs = new Dictionary<string, Tensor> { ["logits"] = logits, ["labels"] = labels, ["retainLoss"] = ZooCheck.Real(0.3) };
        var loss = new SimNpoTokens();
        ZooCheck.MatchesReference(loss, inputs, x =>
        {
            var lengths = x["labels"].ne(Full(Array.Empty<long>(), -100, ScalarType.Int64, CPU)).sum(1).to(ScalarType.Float64);
            var forget = Mul(F.logsigmoid(Mul(Div(BatchNll(x["logits"], x["labels"]), lengths), 4.5)).mean(), -2 / 4.5);
            return Add(Mul(forget, 0.125), x["retainLoss"]);
        });
        ZooCheck.GradientMatchesFiniteDifferences(loss, new Dictionary<string, Tensor>(inputs) { ["logits"] = logits.narrow(0, 0, 2), ["labels"] = labels.narrow(0, 0, 2) }, new[] { "logits" });
    }

    [Fact]
    public void An_empty_forget_batch_gives_0_and_a_row_without_labels_length_1()
    {
        var empty = new Dictionary<string, Tensor>
        {
            ["forgetNll"] = zeros(0, ScalarType.Float64), ["labels"] = zeros(0, 5, ScalarType.Int64), ["retainLoss"] = ZooCheck.Real(2),
        };
        // [Loss(AllowEmptyBatch = true)]: a retain-only step (every other loss refuses N = 0, docs/reliability.md).
        var (total, terms) = ZooCheck.Values(new SimNpo(), empty);
        Assert.Equal(0.0, terms["Forget"]);
        Assert.Equal(2.0, total);

        var unlabelled = new Dictionary<string, Tensor>
        {
            ["forgetNll"] = zeros(2, ScalarType.Float64), ["labels"] = Full(new long[] { 2, 4 }, -100, ScalarType.Int64, CPU), ["retainLoss"] = ZooCheck.Real(0),
        };
        // nll 0 over length 1: −(2/β) log σ(0) · γ.
        Assert.Equal(0.125 * 2 / 4.5 * Math.Log(2), ZooCheck.Values(new SimNpo(), unlabelled).Terms["Forget"], 14);
    }

    [Fact]
    public void Gradient_ascent_and_difference_are_the_shifted_mean_NLL()
    {
        var (forget, forgetLabels) = Batch(5, 3, 6, 4);
        var (retain, retainLabels) = Batch(7, 2, 5, 4, prompt: 1);
        var reference = ZooCheck.Randn(9, 2, 5, 4);
        var ascent = new Dictionary<string, Tensor> { ["forgetLogits"] = forget, ["forgetLabels"] = forgetLabels };
        ZooCheck.MatchesReference(new GradientAscent(), ascent, x => MeanNll(x["forgetLogits"], x["forgetLabels"]).neg());
        ZooCheck.GradientMatchesFiniteDifferences(new GradientAscent(), ascent, new[] { "forgetLogits" });
        var inputs = new Dictionary<string, Tensor>
        {
            ["forgetLogits"] = forget, ["forgetLabels"] = forgetLabels, ["retainLogits"] = retain, ["retainLabels"] = retainLabels,
        };
        ZooCheck.MatchesReference(new GradientDifference { Gamma = 0.5, Alpha = 2 }, inputs,
            x => Add(Mul(MeanNll(x["forgetLogits"], x["forgetLabels"]), -0.5), Mul(MeanNll(x["retainLogits"], x["retainLabels"]), 2)));
        ZooCheck.GradientMatchesFiniteDifferences(new GradientDifference { Gamma = 0.5, Alpha = 2 }, inputs, new[] { "forgetLogits", "retainLogits" });
        var kl = new Dictionary<string, Tensor>
        {
            ["forgetLogits"] = forget, ["forgetLabels"] = forgetLabels, ["retainLogits"] = retain, ["referenceLogits"] = reference,
        };
        // open-unlearning: kl_div(log_softmax(current).view(-1, V), log_softmax(ref).view(-1, V), 'batchmean', log_target=True).
        ZooCheck.MatchesReference(new GradientDifferenceKl(), kl, x => Add(MeanNll(x["forgetLogits"], x["forgetLabels"]).neg(),
            Div(F.kl_div(F.log_softmax(x["retainLogits"], -1).reshape(-1, 4), F.log_softmax(x["referenceLogits"], -1).reshape(-1, 4),
                log_target: true, reduction: nn.Reduction.Sum), 10)), 1e-12, "referenceLogits");   // batchmean over the 2 · 5 flattened positions
        ZooCheck.GradientMatchesFiniteDifferences(new GradientDifferenceKl(), kl, new[] { "forgetLogits", "retainLogits" });
    }

    [Fact]
    public void An_all_ignored_forget_batch_gives_0_not_0_over_0()
    {
        var (logits, _) = Batch(11, 2, 4, 3);
        var inputs = ZooCheck.Leaves(new Dictionary<string, Tensor> { ["forgetLogits"] = logits, ["forgetLabels"] = Full(new long[] { 2, 4 }, -100, ScalarType.Int64, CPU) });
        using var result = new GradientAscent().Compute(inputs);
        result.Total.backward();
        Assert.Equal(0.0, result.Total.item<double>());
        Assert.Equal(0.0, inputs["forgetLogits"].grad!.abs().max().item<double>());
    }

    [Fact]
    public void Flat_with_no_predicted_answer_token_reads_probability_0()
    {
        var (template, templateLabels) = Batch(17, 2, 5, 4);
        var (forget, _) = Batch(19, 2, 6, 4);
        var inputs = new Dictionary<string, Tensor>
        {
            ["templateLogits"] = template, ["templateLabels"] = templateLabels,
            ["forgetLogits"] = forget, ["forgetLabels"] = Full(new long[] { 2, 6 }, -100, ScalarType.Int64, CPU),
        };
        // P_forget = 0: the forget terms are e^{−1}, softplus(0) − log 2 = 0, ½ tanh 0 = 0 and 0.
        Assert.Equal(Math.Exp(-1), ZooCheck.Values(new FlatKl(), inputs).Terms["Forget"], 15);
        Assert.Equal(0.0, ZooCheck.Values(new FlatJensenShannon(), inputs).Terms["Forget"], 15);
        Assert.Equal(0.0, ZooCheck.Values(new FlatTotalVariation(), inputs).Terms["Forget"], 15);
        Assert.Equal(0.0, ZooCheck.Values(new FlatPearson(), inputs).Terms["Forget"], 15);
    }

    /// <summary>FLAT's answer probability: the mean next-token probability over the predicted answer tokens.</summary>
    private static Tensor AnswerProbability(Tensor logits, Tensor labels)
    {
        var t = labels.shape[1];
        var shifted = labels.narrow(1, 1, t - 1);
        var valid = shifted.ne(Full(Array.Empty<long>(), -100, ScalarType.Int64, CPU));
        var safe = where(valid, shifted, zeros_like(shifted));
        var p = F.softmax(logits.narrow(1, 0, t - 1), -1).gather(-1, safe.unsqueeze(-1)).squeeze(-1);
        return Div(Mul(p, valid.to(ScalarType.Float64)).sum(), valid.sum().to(ScalarType.Float64));
    }

    public static TheoryData<string> FlatDivergences() => new() { "kl", "js", "tv", "pearson" };

    [Theory]
    [MemberData(nameof(FlatDivergences))]
    public void Flat_is_the_variational_f_divergence_of_the_answer_probabilities(string divergence)
    {
        var (template, templateLabels) = Batch(13, 3, 6, 5);
        var (forget, forgetLabels) = Batch(15, 3, 8, 5, prompt: 3);
        var inputs = new Dictionary<string, Tensor>
        {
            ["templateLogits"] = template, ["templateLabels"] = templateLabels, ["forgetLogits"] = forget, ["forgetLabels"] = forgetLabels,
        };
        // The authors' get_contrastive_loss: activation(P_template) − conjugate(P_forget).
        (ILoss Loss, Func<Tensor, Tensor, Tensor> Formula) flat = divergence switch
        {
            "kl" => (new FlatKl(), (pe, pf) => Add(pe.neg(), Sub(pf, 1).exp())),
            "js" => (new FlatJensenShannon(), (pe, pf) => Sub(Add(F.softplus(pe.neg()), F.softplus(pf)), 2 * Math.Log(2))),
            "tv" => (new FlatTotalVariation(), (pe, pf) => Add(Mul(pe.tanh(), -0.5), Mul(pf.tanh(), 0.5))),
            _ => (new FlatPearson(), (pe, pf) => Add(pe.neg(), Add(Div(Square(pf), 4), pf))),
        };
        ZooCheck.MatchesReference(flat.Loss, inputs, x =>
            flat.Formula(AnswerProbability(x["templateLogits"], x["templateLabels"]), AnswerProbability(x["forgetLogits"], x["forgetLabels"])));
        ZooCheck.GradientMatchesFiniteDifferences(flat.Loss, inputs, new[] { "templateLogits", "forgetLogits" });
    }

    [Fact]
    public void Relabelling_and_datamodel_matching_report_forget_and_retain_apart()
    {
        var inputs = new Dictionary<string, Tensor>
        {
            ["forgetLogits"] = ZooCheck.Randn(1, 5, 4), ["substitutedLabels"] = ZooCheck.Randint(2, 4, 5),
            ["retainLogits"] = ZooCheck.Randn(3, 7, 4), ["retainLabels"] = ZooCheck.Randint(4, 4, 7),
        };
        ZooCheck.MatchesReference(new RelabelForgetting { Gamma = 2, Alpha = 0.5 }, inputs, x =>
            Add(Mul(F.cross_entropy(x["forgetLogits"], x["substitutedLabels"]), 2), Mul(F.cross_entropy(x["retainLogits"], x["retainLabels"]), 0.5)));

        var matching = new Dictionary<string, Tensor>
        {
            ["forgetLogits"] = ZooCheck.Randn(5, 5, 4), ["forgetTargets"] = ZooCheck.Randn(6, 5, 4),
            ["retainLogits"] = ZooCheck.Randn(7, 7, 4), ["retainTargets"] = ZooCheck.Randn(8, 7, 4),
        };
        ZooCheck.MatchesReference(new DatamodelMatchingKl(), matching, x => Add(
            Div(F.kl_div(F.log_softmax(x["forgetLogits"], -1), F.softmax(x["forgetTargets"].detach(), -1), log_target: false, reduction: nn.Reduction.Sum), 5),
            Div(F.kl_div(F.log_softmax(x["retainLogits"], -1), F.softmax(x["retainTargets"].detach(), -1), log_target: false, reduction: nn.Reduction.Sum), 7)),
            constants: new[] { "forgetTargets", "retainTargets" });
        ZooCheck.MatchesReference(new DatamodelMatchingMse(), matching, x =>
            Add(F.mse_loss(x["forgetLogits"], x["forgetTargets"].detach()), F.mse_loss(x["retainLogits"], x["retainTargets"].detach())),
            constants: new[] { "forgetTargets", "retainTargets" });
        ZooCheck.GradientMatchesFiniteDifferences(new DatamodelMatchingKl(), matching, new[] { "forgetLogits", "retainLogits" });
        ZooCheck.GradientMatchesFiniteDifferences(new DatamodelMatchingMse(), matching, new[] { "forgetLogits", "retainLogits" });
        ZooCheck.GradientMatchesFiniteDifferences(new RelabelForgetting { Gamma = 2, Alpha = 0.5 }, inputs, new[] { "forgetLogits", "retainLogits" });

        // An empty forget set: both forget terms are 0, the retain terms unchanged ([Loss(AllowEmptyBatch = true)]).
        matching["forgetLogits"] = zeros(0, 4, ScalarType.Float64);
        matching["forgetTargets"] = zeros(0, 4, ScalarType.Float64);
        Assert.Equal(0.0, ZooCheck.Values(new DatamodelMatchingKl(), matching).Terms["Forget"]);
        Assert.Equal(0.0, ZooCheck.Values(new DatamodelMatchingMse(), matching).Terms["Forget"]);
        inputs["forgetLogits"] = zeros(0, 4, ScalarType.Float64);
        inputs["substitutedLabels"] = zeros(0, ScalarType.Int64);
        Assert.Equal(0.0, ZooCheck.Values(new RelabelForgetting(), inputs).Terms["Forget"]);
    }
}
