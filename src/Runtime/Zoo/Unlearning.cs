using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    // Unlearning losses. Forget and retain terms are always separate terms, so LossResult reports each. Token inputs
    // follow Hugging Face's causal-LM convention: logits [N, T, V] and labels [N, T] that are the input ids with −100
    // on what is not scored (prompt, padding); the logits at t − 1 predict the label at t (Dsl.NextTokenLogProbs).

    /// <summary>Formulas the unlearning losses share (inlined by the generator).</summary>
    public static class Unlearn
    {
        /// <summary>Each sequence's summed next-token negative log-likelihood, <c>[N]</c>: the authors'
        /// <c>compute_batch_nll</c> (open-unlearning <c>src/trainer/utils.py</c>).</summary>
        public static Vector SequenceNll(Logits logits, Labels labels) => -NextTokenLogProbs(logits, labels).RowSum();

        /// <summary>The mean next-token negative log-likelihood over every predicted token of the batch (Hugging Face's
        /// <c>model(..., labels=labels).loss</c>); 0 when no token is predicted.</summary>
        public static Real TokenNll(Logits logits, Labels labels) =>
            -NextTokenLogProbs(logits, labels).Sum() / Maximum(labels.Predicted().Count(), 1);

        /// <summary>SimNPO's forget loss, <c>−(2/β) mean_i log σ(β (nll_i / L_i − δ))</c>, with
        /// <c>L_i = max(#non-ignored labels of row i, 1)</c> (the unshifted labels, as the authors count them; a row with
        /// no label gets length 1, where the authors divide by 0). An empty batch gives 0.</summary>
        public static Real SimNpoForget(Vector nll, Labels labels, double beta, double delta) =>
            (-2 / beta) * LogSigmoid(beta * (nll / Maximum(labels.Valid().AsWeights().RowSum(), 1) - delta)).Sum()
            / Maximum(nll.Count(), 1);
    }

    /// <summary>SimNPO (Fan et al., 2024, "Simplicity Prevails: Rethinking Negative Preference Optimization for LLM
    /// Unlearning"), as open-unlearning's <c>SimNPO.compute_unlearn_loss</c> (locuslab/open-unlearning d3d7cf9,
    /// src/trainer/unlearn/simnpo.py; defaults of configs/trainer/SimNPO.yaml) with the forget sequences' summed
    /// token NLL given (<c>forgetNll</c> <c>[N]</c>, e.g. from <see cref="Unlearn.SequenceNll"/>): Forget
    /// <c>= γ·(−2/β) mean_i log σ(β (nll_i / L_i − δ))</c>, <c>L_i</c> the number of non-ignored <c>labels</c> of row i
    /// (<c>[N, T]</c>, −100 ignored, counted unshifted as the authors do), and Retain <c>= α·retainLoss</c>, the retain
    /// batch's loss (Hugging Face's mean token cross-entropy, a 0-d input). <b>Conventions:</b> this follows the code,
    /// not the paper: the code's δ is the paper's reward margin γ divided by β (the paper writes
    /// <c>log σ(−β/|y| log π(y|x) − γ)</c>), the code's γ weighs the forget loss and its α the retain loss (the paper's
    /// λ). An empty forget batch gives 0; a row without labels has length 1.</summary>
    [Loss]
    public partial class SimNpo
    {
        /// <summary>The inverse temperature β (SimNPO.yaml: 4.5).</summary>
        [Hyper] public double Beta { get; set; } = 4.5;

        /// <summary>The length-normalised reward margin δ (the code's <c>delta</c>, the paper's γ/β; SimNPO.yaml: 0).</summary>
        [Hyper] public double Delta { get; set; } = 0;

        /// <summary>The forget loss's weight γ (SimNPO.yaml: 0.125).</summary>
        [Hyper] public double Gamma { get; set; } = 0.125;

        /// <summary>The retain loss's weight α (SimNPO.yaml: 1).</summary>
        [Hyper] public double Alpha { get; set; } = 1;

        [Term]
        Real Forget(Vector forgetNll, [Dims("N", "T"), Ignore(-100)] Labels labels) =>
            Gamma * Unlearn.SimNpoForget(forgetNll, labels, Beta, Delta);

        [Term]
        Real Retain(Real retainLoss) => Alpha * retainLoss;
    }

    /// <summary>SimNPO from the forget batch's token logits, as open-unlearning's <c>SimNPO.compute_unlearn_loss</c> with its
    /// <c>compute_batch_nll</c>: <c>nll_i = Σ_t −log p(labels[i, t] | logits[i, t − 1])</c> over the non-ignored labels
    /// (<c>[N, T, V]</c> logits, <c>[N, T]</c> labels, −100 ignored), then as <see cref="SimNpo"/>. As the authors' code, a
    /// non-ignored first label counts in <c>L_i</c> although nothing predicts it.</summary>
    [Loss]
    public partial class SimNpoTokens
    {
        /// <summary>The inverse temperature β (SimNPO.yaml: 4.5).</summary>
        [Hyper] public double Beta { get; set; } = 4.5;

        /// <summary>The length-normalised reward margin δ (the code's <c>delta</c>; SimNPO.yaml: 0).</summary>
        [Hyper] public double Delta { get; set; } = 0;

        /// <summary>The forget loss's weight γ (SimNPO.yaml: 0.125).</summary>
        [Hyper] public double Gamma { get; set; } = 0.125;

        /// <summary>The retain loss's weight α (SimNPO.yaml: 1).</summary>
        [Hyper] public double Alpha { get; set; } = 1;

        [Term]
        Real Forget([Dims("N", "T", "V")] Logits logits, [Dims("N", "T"), Ignore(-100)] Labels labels) =>
            Gamma * Unlearn.SimNpoForget(Unlearn.SequenceNll(logits, labels), labels, Beta, Delta);

        [Term]
        Real Retain(Real retainLoss) => Alpha * retainLoss;
    }

    /// <summary>Gradient ascent on the forget set (Jang et al., 2023, "Knowledge Unlearning for Mitigating Privacy Risks in
    /// Language Models"), as open-unlearning's <c>GradAscent</c>: <c>−mean token NLL</c> of the forget batch
    /// (<c>[N, T, V]</c> logits, <c>[N, T]</c> labels, −100 ignored; Hugging Face's shifted mean over the predicted
    /// tokens). Unbounded below: stop early. A batch with no predicted token gives 0.</summary>
    [Loss]
    public partial class GradientAscent
    {
        [Term]
        Real Forget([Dims("N", "T", "V")] Logits forgetLogits, [Dims("N", "T"), Ignore(-100)] Labels forgetLabels) =>
            -Unlearn.TokenNll(forgetLogits, forgetLabels);
    }

    /// <summary>Gradient difference (Liu et al., 2022, "Continual Learning and Private Unlearning"), as open-unlearning's
    /// <c>GradDiff</c> with <c>retain_loss_type="NLL"</c>: Forget <c>= −γ·mean token NLL(forget batch)</c>, Retain
    /// <c>= α·mean token NLL(retain batch)</c>. The two batches have their own sizes and lengths; an empty one gives 0.</summary>
    [Loss]
    public partial class GradientDifference
    {
        /// <summary>The forget term's weight γ (open-unlearning: 1).</summary>
        [Hyper] public double Gamma { get; set; } = 1;

        /// <summary>The retain term's weight α (open-unlearning: 1).</summary>
        [Hyper] public double Alpha { get; set; } = 1;

        [Term]
        Real Forget([Dims("N", "T", "V")] Logits forgetLogits, [Dims("N", "T"), Ignore(-100)] Labels forgetLabels) =>
            -Gamma * Unlearn.TokenNll(forgetLogits, forgetLabels);

        [Term]
        Real Retain([Dims("M", "S", "V")] Logits retainLogits, [Dims("M", "S"), Ignore(-100)] Labels retainLabels) =>
            Alpha * Unlearn.TokenNll(retainLogits, retainLabels);
    }

    /// <summary>Gradient difference with a KL retain term, as open-unlearning's <c>GradDiff</c> with
    /// <c>retain_loss_type="KL"</c>: Forget <c>= −γ·mean token NLL(forget batch)</c>, Retain
    /// <c>= α·mean_(m,s) KL(softmax(reference_ms) ‖ softmax(retain_ms))</c> over every position of the retain batch
    /// (<c>F.kl_div(..., reduction="batchmean", log_target=True)</c> on the flattened positions: padding included), the
    /// reference model's retain logits <c>[M, S, V]</c> frozen.</summary>
    [Loss]
    public partial class GradientDifferenceKl
    {
        /// <summary>The forget term's weight γ (open-unlearning: 1).</summary>
        [Hyper] public double Gamma { get; set; } = 1;

        /// <summary>The retain term's weight α (open-unlearning: 1).</summary>
        [Hyper] public double Alpha { get; set; } = 1;

        [Term]
        Real Forget([Dims("N", "T", "V")] Logits forgetLogits, [Dims("N", "T"), Ignore(-100)] Labels forgetLabels) =>
            -Gamma * Unlearn.TokenNll(forgetLogits, forgetLabels);

        [Term]
        Real Retain([Dims("M", "S", "V")] Logits retainLogits, [Frozen, Dims("M", "S", "V")] Logits referenceLogits) =>
            Alpha * KLPerSample(Softmax(referenceLogits), LogSoftmax(retainLogits)).Mean();
    }
}
