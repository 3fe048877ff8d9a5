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
        /// no label gets length 1, where the authors divide by 0).</summary>
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
    /// λ). A row without labels has length 1; an empty forget batch (N = 0) gives a Forget term of 0 and the retain term
    /// as given (<c>[Loss(AllowEmptyBatch = true)]</c>: a retain-only step).</summary>
    [Loss(AllowEmptyBatch = true)]
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

namespace LossDsl.Zoo
{
    /// <summary>FLAT's answer probability: the mean probability the model gives the predicted answer tokens,
    /// <c>Σ p(label_t | logits_(t−1)) / #predicted</c> (0 without a predicted token).</summary>
    public static class Flat
    {
        /// <summary>The mean next-token probability of the non-ignored labels (<c>[N, T, V]</c>, <c>[N, T]</c>).</summary>
        public static Real AnswerProbability(Logits logits, Labels labels) =>
            (Exp(NextTokenLogProbs(logits, labels)) * labels.Predicted().AsWeights()).Sum() / Maximum(labels.Predicted().Count(), 1);
    }

    // FLAT (Wang et al., 2025, "LLM Unlearning via Loss Adjustment with Only Forget Data", ICLR; UCSC-REAL/FLAT 05a6e6a,
    // dataloader.py, loss_type "cl"): maximise an f-divergence between the template answers (e.g. "I don't know") and
    // the forget answers of the forget questions, in its variational form −g*(P_template) + f*(g*(P_forget)), where P is
    // the model's answer probability (Flat.AnswerProbability) and g*, f* the divergence's activation and conjugate
    // (Nowozin et al., 2016, f-GAN). Template and Forget are reported as separate terms. The authors' code averages the
    // token probabilities over every position of the batch (prompt and padding count as 0); these losses average over
    // the predicted answer tokens, the paper's "average probability of the answer". Inputs: template and forget logits
    // [N, T, V] with their labels [N, T] (Hugging Face convention, −100 ignored).

    /// <summary>FLAT with the KL divergence: Template <c>= −P_template</c>, Forget <c>= e^{P_forget − 1}</c>.</summary>
    [Loss]
    public partial class FlatKl
    {
        [Term]
        Real Template([Dims("N", "T", "V")] Logits templateLogits, [Dims("N", "T"), Ignore(-100)] Labels templateLabels) =>
            -Flat.AnswerProbability(templateLogits, templateLabels);

        [Term]
        Real Forget([Dims("N", "F", "V")] Logits forgetLogits, [Dims("N", "F"), Ignore(-100)] Labels forgetLabels) =>
            Exp(Flat.AnswerProbability(forgetLogits, forgetLabels) - 1);
    }

    /// <summary>FLAT with the Jensen–Shannon divergence: Template <c>= softplus(−P_template) − log 2</c>, Forget
    /// <c>= softplus(P_forget) − log 2</c> (the authors' form; the constants do not move the gradient).</summary>
    [Loss]
    public partial class FlatJensenShannon
    {
        [Term]
        Real Template([Dims("N", "T", "V")] Logits templateLogits, [Dims("N", "T"), Ignore(-100)] Labels templateLabels) =>
            Softplus(-Flat.AnswerProbability(templateLogits, templateLabels)) - System.Math.Log(2);

        [Term]
        Real Forget([Dims("N", "F", "V")] Logits forgetLogits, [Dims("N", "F"), Ignore(-100)] Labels forgetLabels) =>
            Softplus(Flat.AnswerProbability(forgetLogits, forgetLabels)) - System.Math.Log(2);
    }

    /// <summary>FLAT with the total variation: Template <c>= −½ tanh(P_template)</c>, Forget <c>= ½ tanh(P_forget)</c>
    /// (the authors' default divergence).</summary>
    [Loss]
    public partial class FlatTotalVariation
    {
        [Term]
        Real Template([Dims("N", "T", "V")] Logits templateLogits, [Dims("N", "T"), Ignore(-100)] Labels templateLabels) =>
            -0.5 * Tanh(Flat.AnswerProbability(templateLogits, templateLabels));

        [Term]
        Real Forget([Dims("N", "F", "V")] Logits forgetLogits, [Dims("N", "F"), Ignore(-100)] Labels forgetLabels) =>
            0.5 * Tanh(Flat.AnswerProbability(forgetLogits, forgetLabels));
    }

    /// <summary>FLAT with the Pearson χ² divergence: Template <c>= −P_template</c>, Forget <c>= P_forget²/4 + P_forget</c>.</summary>
    [Loss]
    public partial class FlatPearson
    {
        [Term]
        Real Template([Dims("N", "T", "V")] Logits templateLogits, [Dims("N", "T"), Ignore(-100)] Labels templateLabels) =>
            -Flat.AnswerProbability(templateLogits, templateLabels);

        [Term]
        Real Forget([Dims("N", "F", "V")] Logits forgetLogits, [Dims("N", "F"), Ignore(-100)] Labels forgetLabels)
        {
            var p = Flat.AnswerProbability(forgetLogits, forgetLabels);
            return Square(p) / 4 + p;
        }
    }

    /// <summary>Forgetting by relabelling: the forget samples are trained toward substituted labels, uniformly random ones
    /// (Zhang et al., 2024, "Unforgettable Generalization in Language Models": fine-tuning on the forget task with random
    /// labels) or a chosen target class (targeted relabelling, as in class unlearning by label poisoning), while the
    /// retain samples keep their true labels: Forget <c>= γ·CE(forgetLogits, substitutedLabels)</c>, Retain
    /// <c>= α·CE(retainLogits, retainLabels)</c> (<c>F.cross_entropy</c> means over the non-ignored labels; an empty forget
    /// batch, N = 0, gives a Forget term of 0: a retain-only step). How the labels are drawn is the caller's: the loss takes
    /// them as inputs.</summary>
    [Loss(AllowEmptyBatch = true)]
    public partial class RelabelForgetting
    {
        /// <summary>The forget term's weight γ.</summary>
        [Hyper] public double Gamma { get; set; } = 1;

        /// <summary>The retain term's weight α.</summary>
        [Hyper] public double Alpha { get; set; } = 1;

        [Term]
        Real Forget([Dims("N", "C")] Logits forgetLogits, [Dims("N"), Ignore(-100)] Labels substitutedLabels) =>
            Gamma * CrossEntropy(forgetLogits, substitutedLabels);

        [Term]
        Real Retain([Dims("M", "C")] Logits retainLogits, [Dims("M"), Ignore(-100)] Labels retainLabels) =>
            Alpha * CrossEntropy(retainLogits, retainLabels);
    }

    /// <summary>Datamodel matching (Georgiev et al., 2024, "Attribute-to-Delete: Machine Unlearning via Datamodel
    /// Matching"): the model's outputs on forget and retain samples are fine-tuned toward given target outputs (the
    /// outputs a model retrained without the forget set is predicted to give, from datamodels), with the KL divergence:
    /// Forget <c>= (1/N) Σ_i KL(softmax(forgetTargets_i) ‖ softmax(forgetLogits_i))</c>, Retain the same on the retain
    /// samples. The targets are constants. An empty forget batch (N = 0) gives a Forget term of 0 (a retain-only step).</summary>
    [Loss(AllowEmptyBatch = true)]
    public partial class DatamodelMatchingKl
    {
        [Term]
        Real Forget([Dims("N", "C")] Logits forgetLogits, [Frozen, Dims("N", "C")] Logits forgetTargets) =>
            KLPerSample(Softmax(forgetTargets), LogSoftmax(forgetLogits)).Sum() / Maximum(forgetLogits.RowSum().Count(), 1);

        [Term]
        Real Retain([Dims("M", "C")] Logits retainLogits, [Frozen, Dims("M", "C")] Logits retainTargets) =>
            KLPerSample(Softmax(retainTargets), LogSoftmax(retainLogits)).Sum() / Maximum(retainLogits.RowSum().Count(), 1);
    }

    /// <summary>Datamodel matching (Georgiev et al., 2024) with the squared error: Forget
    /// <c>= mean (forgetLogits − forgetTargets)²</c> over every entry, Retain the same on the retain samples (the paper's
    /// regression of outputs onto the predicted oracle outputs). The targets are constants. An empty forget batch (N = 0)
    /// gives a Forget term of 0 (a retain-only step).</summary>
    [Loss(AllowEmptyBatch = true)]
    public partial class DatamodelMatchingMse
    {
        [Term]
        Real Forget([Dims("N", "C")] Logits forgetLogits, [Frozen, Dims("N", "C")] Logits forgetTargets) =>
            Square(forgetLogits - forgetTargets).Sum() / Maximum(forgetLogits.Count(), 1);

        [Term]
        Real Retain([Dims("M", "C")] Logits retainLogits, [Frozen, Dims("M", "C")] Logits retainTargets) =>
            Square(retainLogits - retainTargets).Sum() / Maximum(retainLogits.Count(), 1);
    }
}
