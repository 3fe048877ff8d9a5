using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
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
}
