using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    // The DPO family of TRL 0.19.1's DPOTrainer.dpo_loss (trl/trainer/dpo_trainer.py), each followed by .mean() as in
    // get_batch_loss_metrics, and TRL main's forward-KL variant. Every loss: inputs are per-sequence log-probabilities
    // [N] of the policy and of the reference model for the chosen and rejected completions (the reference ones are not
    // frozen here, as in the reference function: pass constants in training); the value is the mean over the N pairs;
    // N = 1 is an ordinary batch; the metric terms (weight 0) are those of Dpo, which shows the skeleton
    // they share: mean_i link(β·ρ_i).

    /// <summary>Formulas the preference losses share (the generator inlines them). Every DPO-family loss of the zoo is
    /// one skeleton, <c>mean_i link(β·ρ_i)</c>, over the log-ratios of a policy and a frozen reference model on
    /// preference pairs, with a different link (Richardson et al., 2024, "Understanding the Logic of Direct
    /// Preference Alignment through Logic", read each variant as a choice of this link and of what ρ combines):
    /// <list type="bullet">
    /// <item><c>ρ = margin = (chosen − rejected) − (refChosen − refRejected)</c>, the implicit reward margin (DPO, cDPO,
    /// robust, EXO, DiscoPOP, the f-divergence variants change how ρ is formed);</item>
    /// <item>or the two log-ratios <c>cl = chosen − refChosen</c>, <c>rl = rejected − refRejected</c> apart (BCO, NCA,
    /// APO, SPPO), or their batch-sorted versions (AOT).</item>
    /// </list>
    /// The inputs are per-sequence log-probabilities <c>[N]</c> (summed over completion tokens; <see cref="SequenceLogProb"/>
    /// computes them from token logits). Each loss also reports what TRL logs, as terms of weight 0 whose values carry
    /// no gradient: the rewards <c>β·cl</c> and <c>β·rl</c> (means), their margin and the accuracy
    /// <c>mean[β·cl &gt; β·rl]</c>.</summary>
    public static class Dpo
    {
        /// <summary><c>(chosen − rejected) − (refChosen − refRejected)</c>: TRL's <c>logits</c>.</summary>
        public static Vector Margin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            (chosen - rejected) - (refChosen - refRejected);

        /// <summary>The conservative (label-smoothed) logistic link of cDPO: <c>−(1 − ε) log σ(x) − ε log σ(−x)</c>;
        /// ε = 0 is DPO's <c>−log σ(x)</c>.</summary>
        public static Vector Smoothed(Vector x, double smoothing) =>
            -(1 - smoothing) * LogSigmoid(x) - smoothing * LogSigmoid(-x);

        /// <summary>The implicit reward <c>β·(policy − reference)</c> of each sample, with no gradient (TRL's
        /// <c>chosen_rewards</c> / <c>rejected_rewards</c>, detached).</summary>
        public static Vector Reward(Vector policy, Vector reference, double beta) => Frozen(beta * (policy - reference));

        /// <summary>The mean reward margin <c>mean(β·cl − β·rl)</c>, no gradient (TRL's <c>rewards/margins</c>).</summary>
        public static Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected, double beta) =>
            (Reward(chosen, refChosen, beta) - Reward(rejected, refRejected, beta)).Mean();

        /// <summary>The share of pairs whose chosen reward beats the rejected one, <c>mean[β·cl &gt; β·rl]</c>, no gradient
        /// (TRL's <c>rewards/accuracies</c>; a tie counts as wrong).</summary>
        public static Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected, double beta) =>
            (Reward(chosen, refChosen, beta) > Reward(rejected, refRejected, beta)).AsWeights().Mean();

        /// <summary>The log-probability of each sequence's completion, <c>Σ_t mask_t · log p(token_t | token_&lt;t)</c>, from
        /// causal-LM <paramref name="logits"/> <c>[N, T, V]</c>, the sequence's <paramref name="tokens"/> <c>[N, T]</c> (prompt
        /// and completion, unshifted: the logits at t − 1 score the token at t) and a 0/1 completion
        /// <paramref name="mask"/> <c>[N, T]</c> aligned with the tokens. An empty mask gives 0 (the empty completion has
        /// probability 1), never 0/0; position 0 is never scored.</summary>
        public static Vector SequenceLogProb(Logits logits, Labels tokens, Vector mask) =>
            (NextTokenLogProbs(logits, tokens) * mask).RowSum();
    }

    /// <summary>Conservative DPO (cDPO, Mitchell, 2023: DPO with a rate ε of flipped labels), as TRL 0.19.1's
    /// <c>dpo_loss</c> with <c>loss_type="sigmoid"</c> and <c>label_smoothing=ε</c>:
    /// <c>mean_i −(1 − ε) log σ(β ρ_i) − ε log σ(−β ρ_i)</c>, <c>ρ = (chosen − rejected) − (refChosen − refRejected)</c>.
    /// ε = 0 is <see cref="DpoSigmoid"/>.</summary>
    [Loss]
    public partial class DpoConservative
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        /// <summary>The label smoothing ε, the assumed rate of flipped preferences (0.1 here; TRL's default 0 is plain DPO).</summary>
        [Hyper] public double LabelSmoothing { get; set; } = 0.1;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.Smoothed(Beta * Dpo.Margin(chosen, rejected, refChosen, refRejected), LabelSmoothing).Mean();

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>Robust DPO (rDPO, Chowdhury et al., 2024, "Provably Robust DPO: Aligning Language Models with Noisy
    /// Feedback"), as TRL 0.19.1's <c>dpo_loss</c> with <c>loss_type="robust"</c>:
    /// <c>mean_i [−(1 − ε) log σ(β ρ_i) + ε log σ(−β ρ_i)] / (1 − 2ε)</c>, the unbiased estimate of the DPO loss under a
    /// rate ε of flipped labels (ε &lt; ½; a pair's term can be negative).</summary>
    [Loss]
    public partial class DpoRobust
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        /// <summary>The assumed rate ε of flipped preferences (TRL's <c>label_smoothing</c>; 0.1 here), below ½.</summary>
        [Hyper] public double LabelSmoothing { get; set; } = 0.1;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected)
        {
            var x = Beta * Dpo.Margin(chosen, rejected, refChosen, refRejected);
            return ((-(1 - LabelSmoothing) * LogSigmoid(x) + LabelSmoothing * LogSigmoid(-x)) / (1 - 2 * LabelSmoothing)).Mean();
        }

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>EXO for pairs (Ji et al., 2024, "Towards Efficient Exact Optimization of Language Model Alignment"), as
    /// TRL 0.19.1's <c>dpo_loss</c> with <c>loss_type="exo_pair"</c>: with <c>x = β ρ_i</c>,
    /// <c>mean_i σ(x)(log σ(x) − log(1 − ε)) + σ(−x)(log σ(−x) − log ε)</c>, the reverse KL from the model's preference
    /// distribution to the ε-smoothed label. TRL silently replaces ε = 0 by 10⁻³ (the default here); ε must be in (0, 1).</summary>
    [Loss]
    public partial class DpoExoPair
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        /// <summary>The label smoothing ε in (0, 1) (TRL's effective default 10⁻³).</summary>
        [Hyper] public double LabelSmoothing { get; set; } = 1e-3;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected)
        {
            var x = Beta * Dpo.Margin(chosen, rejected, refChosen, refRejected);
            return (Sigmoid(x) * (LogSigmoid(x) - System.Math.Log(1 - LabelSmoothing))
                    + Sigmoid(-x) * (LogSigmoid(-x) - System.Math.Log(LabelSmoothing))).Mean();
        }

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>BCO for pairs (Jung et al., 2024, "Binary Classifier Optimization for Large Language Model Alignment"),
    /// as TRL 0.19.1's <c>dpo_loss</c> with <c>loss_type="bco_pair"</c>: each log-ratio is classified apart around the
    /// reward shift δ, <c>mean_i −log σ(β cl_i − δ) − log σ(−(β rl_i − δ))</c>. δ is TRL's running mean of the batch
    /// rewards; it is state kept across batches, outside the loss: pass <c>delta</c> (a 0-d tensor, no gradient) from
    /// <see cref="RunningMoments.Update(TorchSharp.torch.Tensor)"/> of <see cref="RunningMoments.BcoRewards"/>, as TRL does
    /// on every call.</summary>
    [Loss]
    public partial class DpoBcoPair
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected, [Frozen] Real delta) =>
            (-LogSigmoid(Beta * (chosen - refChosen) - delta) - LogSigmoid(-(Beta * (rejected - refRejected) - delta))).Mean();

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>SPPO with hard labels (Wu et al., 2024, "Self-Play Preference Optimization for Language Model
    /// Alignment"), as TRL 0.19.1's <c>dpo_loss</c> with <c>loss_type="sppo_hard"</c>: the log-ratios are regressed to
    /// ±1/(2β), <c>mean_i (cl_i − 1/(2β))² + (rl_i + 1/(2β))²</c> (not scaled by β).</summary>
    [Loss]
    public partial class DpoSppoHard
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            (Square(chosen - refChosen - 0.5 / Beta) + Square(rejected - refRejected + 0.5 / Beta)).Mean();

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>NCA for pairs (Chen et al., 2024, "Noise Contrastive Alignment of Language Models with Explicit
    /// Rewards"), as TRL 0.19.1's <c>dpo_loss</c> with <c>loss_type="nca_pair"</c>:
    /// <c>mean_i −log σ(β cl_i) − ½ log σ(−β cl_i) − ½ log σ(−β rl_i)</c>.</summary>
    [Loss]
    public partial class DpoNcaPair
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected)
        {
            var chosenReward = Beta * (chosen - refChosen);
            return (-LogSigmoid(chosenReward) - 0.5 * LogSigmoid(-chosenReward) - 0.5 * LogSigmoid(-Beta * (rejected - refRejected))).Mean();
        }

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>AOT (Melnyk et al., 2024, "Distributional Preference Alignment of LLMs via Optimal Transport"), as TRL
    /// 0.19.1's <c>dpo_loss</c> with <c>loss_type="aot"</c>: the batch's policy and reference log-ratio differences
    /// are each sorted ascending and paired by rank, <c>d = sort(chosen − rejected) − sort(refChosen − refRejected)</c>,
    /// then the conservative link, <c>mean_i −(1 − ε) log σ(β d_i) − ε log σ(−β d_i)</c>. Sample identity is lost; the
    /// gradient flows back through the sorting permutation (ties: a stable sort).</summary>
    [Loss]
    public partial class DpoAot
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        /// <summary>The label smoothing ε (TRL's default 0).</summary>
        [Hyper] public double LabelSmoothing { get; set; } = 0;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.Smoothed(Beta * ((chosen - rejected).Sorted() - (refChosen - refRejected).Sorted()), LabelSmoothing).Mean();

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>AOT for paired data (Melnyk et al., 2024), as TRL 0.19.1's <c>dpo_loss</c> with <c>loss_type="aot_pair"</c>:
    /// the chosen and the rejected log-ratios are each sorted ascending over the batch and paired by rank,
    /// <c>d = sort(cl) − sort(rl)</c>, then <c>mean_i −(1 − ε) log σ(β d_i) − ε log σ(−β d_i)</c>.</summary>
    [Loss]
    public partial class DpoAotPair
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        /// <summary>The label smoothing ε (TRL's default 0).</summary>
        [Hyper] public double LabelSmoothing { get; set; } = 0;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.Smoothed(Beta * ((chosen - refChosen).Sorted() - (rejected - refRejected).Sorted()), LabelSmoothing).Mean();

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>APO-zero (D'Oosterlinck et al., 2024, "Anchored Preference Optimization and Contrastive Revisions"), as
    /// TRL 0.19.1's <c>dpo_loss</c> with <c>loss_type="apo_zero"</c>, for chosen answers better than the model's own:
    /// <c>mean_i 1 − σ(β cl_i) + σ(β rl_i)</c> (raise the chosen likelihood, lower the rejected one).</summary>
    [Loss]
    public partial class DpoApoZero
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            (1 - Sigmoid(Beta * (chosen - refChosen)) + Sigmoid(Beta * (rejected - refRejected))).Mean();

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>APO-down (D'Oosterlinck et al., 2024), as TRL 0.19.1's <c>dpo_loss</c> with <c>loss_type="apo_down"</c>, for
    /// chosen answers worse than the model's own: <c>mean_i σ(β cl_i) + 1 − σ(β (cl_i − rl_i))</c> (lower both
    /// likelihoods, the rejected one more).</summary>
    [Loss]
    public partial class DpoApoDown
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected)
        {
            var chosenRatio = chosen - refChosen;
            return (Sigmoid(Beta * chosenRatio) + 1 - Sigmoid(Beta * (chosenRatio - (rejected - refRejected)))).Mean();
        }

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>DiscoPOP (Chris Lu et al., 2024, "Discovering Preference Optimization Algorithms with and for Large
    /// Language Models": the log-ratio modulated loss), as TRL 0.19.1's <c>dpo_loss</c> with <c>loss_type="discopop"</c>:
    /// with <c>x = β ρ_i</c> and <c>m = σ(x/τ)</c>, <c>mean_i −log σ(x)(1 − m) + e^{−x} m</c>, a logistic loss for
    /// negative margins blended into an exponential one for positive margins.</summary>
    [Loss]
    public partial class DpoDiscoPop
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        /// <summary>The blending temperature τ (TRL's <c>discopop_tau</c>, 0.05).</summary>
        [Hyper] public double Tau { get; set; } = 0.05;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected)
        {
            var x = Beta * Dpo.Margin(chosen, rejected, refChosen, refRejected);
            var modulation = Sigmoid(x / Tau);
            return (-LogSigmoid(x) * (1 - modulation) + Exp(-x) * modulation).Mean();
        }

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>DPO with the Jensen–Shannon divergence as its regulariser (Wang et al., 2023, "Beyond Reverse KL:
    /// Generalizing Direct Preference Optimization with Diverse Divergence Constraints"), as TRL 0.19.1's
    /// <c>dpo_loss</c> with <c>loss_type="sigmoid"</c>, <c>f_divergence_type="js_divergence"</c>: the margin becomes
    /// <c>ρ − (softplus(cl) − softplus(rl))</c> (= <c>log σ(cl) − log σ(rl)</c> up to ρ), then the conservative link
    /// with ε. TRL's <c>F.softplus</c> returns x itself above 20; this softplus is exact (a difference below 2·10⁻⁹
    /// per log-ratio there).</summary>
    [Loss]
    public partial class DpoJsDivergence
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        /// <summary>The label smoothing ε (TRL's default 0).</summary>
        [Hyper] public double LabelSmoothing { get; set; } = 0;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected)
        {
            var margin = Dpo.Margin(chosen, rejected, refChosen, refRejected) - (Softplus(chosen - refChosen) - Softplus(rejected - refRejected));
            return Dpo.Smoothed(Beta * margin, LabelSmoothing).Mean();
        }

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>DPO with an α-divergence regulariser (Wang et al., 2023), as TRL 0.19.1's <c>dpo_loss</c> with
    /// <c>loss_type="sigmoid"</c>, <c>f_divergence_type="alpha_divergence"</c>: the margin becomes
    /// <c>(e^{−α rl} − e^{−α cl}) / α</c> (rejected first), then the conservative link with ε. TRL caps the exponent
    /// (at 709.78 in float64, 88.72 in float32); this loss does not, so a log-ratio beyond those bounds over α
    /// overflows to an infinite loss instead of a flat one. TRL main defines the α-divergence differently.</summary>
    [Loss]
    public partial class DpoAlphaDivergence
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        /// <summary>The divergence's α (TRL's <c>alpha_divergence_coef</c>, default 1).</summary>
        [Hyper] public double Alpha { get; set; } = 1;

        /// <summary>The label smoothing ε (TRL's default 0).</summary>
        [Hyper] public double LabelSmoothing { get; set; } = 0;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected)
        {
            var margin = (Exp(-Alpha * (rejected - refRejected)) - Exp(-Alpha * (chosen - refChosen))) / Alpha;
            return Dpo.Smoothed(Beta * margin, LabelSmoothing).Mean();
        }

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }

    /// <summary>DPO with the forward KL divergence as its regulariser (Wang et al., 2023), as TRL main's
    /// <c>DPOTrainer._compute_loss</c> (commit f2cd577) with <c>loss_type=["sigmoid"]</c>,
    /// <c>f_divergence_type="forward_kl"</c>: each log-ratio scores <c>s = −e^{−log-ratio}</c> and
    /// <c>mean_i −(1 − ε) log σ(β(s_chosen − s_rejected)) − ε log σ(−β(…))</c>. Far below the reference (a log-ratio
    /// under about −700 in float64, −88 in float32) the score overflows.</summary>
    [Loss]
    public partial class DpoForwardKl
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        /// <summary>The label smoothing ε (TRL's default 0).</summary>
        [Hyper] public double LabelSmoothing { get; set; } = 0;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.Smoothed(Beta * (Exp(-(rejected - refRejected)) - Exp(-(chosen - refChosen))), LabelSmoothing).Mean();

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }
}

namespace LossDsl.Zoo
{
    /// <summary>A loss-type list, as TRL main's <c>DPOTrainer</c> takes one (<c>loss_type=["sigmoid", "bco_pair", "sft"]</c>,
    /// <c>loss_weights=[0.8, 0.2, 1.0]</c>): MPO (Wang et al., 2024, "Enhancing the Reasoning Ability of Multimodal Large
    /// Language Models via Mixed Preference Optimization"). Each type is its own term with its weight, so each is
    /// reported apart: Sigmoid <c>= mean −log σ(β z)</c> (<see cref="DpoSigmoid"/>), BcoPair as <see cref="DpoBcoPair"/>
    /// (δ from <see cref="RunningMoments"/>), Sft <c>= −Σ_i chosen_i / Σ_i chosenLengths_i</c>, the chosen completions'
    /// mean token NLL (0 when the lengths sum to 0). Any other list is written the same way, one <c>[Term(Weight = w)]</c>
    /// per type.</summary>
    [Loss]
    public partial class Mpo
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        [Term(Weight = 0.8)]
        Real Sigmoid(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            -LogSigmoid(Beta * Dpo.Margin(chosen, rejected, refChosen, refRejected)).Mean();

        [Term(Weight = 0.2)]
        Real BcoPair(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected, [Frozen] Real delta) =>
            (-LogSigmoid(Beta * (chosen - refChosen) - delta) - LogSigmoid(-(Beta * (rejected - refRejected) - delta))).Mean();

        [Term(Weight = 1)]
        Real Sft(Vector chosen, [Frozen] Vector chosenLengths) => -chosen.Sum() / Maximum(chosenLengths.Sum(), 1);

        [Term(Weight = 0)] Real ChosenReward(Vector chosen, Vector refChosen) => Dpo.Reward(chosen, refChosen, Beta).Mean();
        [Term(Weight = 0)] Real RejectedReward(Vector rejected, Vector refRejected) => Dpo.Reward(rejected, refRejected, Beta).Mean();
        [Term(Weight = 0)] Real RewardMargin(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(chosen, rejected, refChosen, refRejected, Beta);
        [Term(Weight = 0)] Real RewardAccuracy(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(chosen, rejected, refChosen, refRejected, Beta);
    }
}

namespace LossDsl.Zoo
{
    /// <summary>DPO (Rafailov et al., 2023) from the policy's token logits, as TRL main's <c>DPOTrainer._compute_loss</c>
    /// (commit f2cd577, <c>loss_type=["sigmoid"]</c>, precomputed reference log-probabilities): each completion's
    /// log-probability is <c>Σ_t mask_t log p(token_t | token_&lt;t)</c> (<see cref="Dpo.SequenceLogProb"/>) from causal-LM
    /// logits <c>[N, T, V]</c>, the sequence's tokens <c>[N, T]</c> (prompt then completion, unshifted) and a 0/1
    /// completion mask <c>[N, T]</c>; then <c>mean_i −(1 − ε) log σ(β ρ_i) − ε log σ(−β ρ_i)</c> as
    /// <see cref="DpoConservative"/>. Chosen and rejected sequences may have different lengths. An empty completion mask
    /// gives a log-probability of 0 (no error, no 0/0); padding positions belong outside the mask (or carry the ignored
    /// token −100). The reference log-probabilities are per-sequence inputs <c>[N]</c>, computed without gradient.</summary>
    [Loss]
    public partial class DpoTokens
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper] public double Beta { get; set; } = 0.1;

        /// <summary>The label smoothing ε (TRL's default 0: DPO).</summary>
        [Hyper] public double LabelSmoothing { get; set; } = 0;

        [Term]
        Real Preference([Dims("N", "Tc", "V")] Logits chosenLogits, [Dims("N", "Tc"), Ignore(-100)] Labels chosenTokens,
            [Dims("N", "Tc")] Vector chosenMask, [Dims("N", "Tr", "V")] Logits rejectedLogits,
            [Dims("N", "Tr"), Ignore(-100)] Labels rejectedTokens, [Dims("N", "Tr")] Vector rejectedMask,
            Vector refChosen, Vector refRejected)
        {
            var chosen = Dpo.SequenceLogProb(chosenLogits, chosenTokens, chosenMask);
            var rejected = Dpo.SequenceLogProb(rejectedLogits, rejectedTokens, rejectedMask);
            return Dpo.Smoothed(Beta * Dpo.Margin(chosen, rejected, refChosen, refRejected), LabelSmoothing).Mean();
        }

        [Term(Weight = 0)]
        Real ChosenReward([Dims("N", "Tc", "V")] Logits chosenLogits, [Dims("N", "Tc"), Ignore(-100)] Labels chosenTokens,
            [Dims("N", "Tc")] Vector chosenMask, Vector refChosen) =>
            Dpo.Reward(Dpo.SequenceLogProb(chosenLogits, chosenTokens, chosenMask), refChosen, Beta).Mean();

        [Term(Weight = 0)]
        Real RejectedReward([Dims("N", "Tr", "V")] Logits rejectedLogits, [Dims("N", "Tr"), Ignore(-100)] Labels rejectedTokens,
            [Dims("N", "Tr")] Vector rejectedMask, Vector refRejected) =>
            Dpo.Reward(Dpo.SequenceLogProb(rejectedLogits, rejectedTokens, rejectedMask), refRejected, Beta).Mean();

        [Term(Weight = 0)]
        Real RewardMargin([Dims("N", "Tc", "V")] Logits chosenLogits, [Dims("N", "Tc"), Ignore(-100)] Labels chosenTokens,
            [Dims("N", "Tc")] Vector chosenMask, [Dims("N", "Tr", "V")] Logits rejectedLogits,
            [Dims("N", "Tr"), Ignore(-100)] Labels rejectedTokens, [Dims("N", "Tr")] Vector rejectedMask,
            Vector refChosen, Vector refRejected) =>
            Dpo.RewardMargin(Dpo.SequenceLogProb(chosenLogits, chosenTokens, chosenMask),
                Dpo.SequenceLogProb(rejectedLogits, rejectedTokens, rejectedMask), refChosen, refRejected, Beta);

        [Term(Weight = 0)]
        Real RewardAccuracy([Dims("N", "Tc", "V")] Logits chosenLogits, [Dims("N", "Tc"), Ignore(-100)] Labels chosenTokens,
            [Dims("N", "Tc")] Vector chosenMask, [Dims("N", "Tr", "V")] Logits rejectedLogits,
            [Dims("N", "Tr"), Ignore(-100)] Labels rejectedTokens, [Dims("N", "Tr")] Vector rejectedMask,
            Vector refChosen, Vector refRejected) =>
            Dpo.RewardAccuracy(Dpo.SequenceLogProb(chosenLogits, chosenTokens, chosenMask),
                Dpo.SequenceLogProb(rejectedLogits, rejectedTokens, rejectedMask), refChosen, refRejected, Beta);
    }
}
