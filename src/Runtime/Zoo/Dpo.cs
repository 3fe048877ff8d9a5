using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Direct Preference Optimization (Rafailov et al., 2023), as TRL 0.19.1's
    /// <c>DPOTrainer.dpo_loss</c> with <c>loss_type="sigmoid"</c> (<c>label_smoothing=0</c>,
    /// <c>reference_free=False</c>, <c>f_divergence_type="reverse_kl"</c>) followed by <c>.mean()</c>:
    /// <c>mean_i −log σ(β·δ_i)</c> with <c>δ = (chosen − rejected) − (refChosen − refRejected)</c>.
    /// The inputs are per-sequence log-probabilities, one per preference pair (<c>[N]</c>). The reference
    /// log-probabilities are not frozen here, as in the reference function: in training pass constants
    /// (computed without gradient by the reference model), or use [Frozen] in your own loss.</summary>
    [Loss]
    public partial class DpoSigmoid
    {
        /// <summary>The inverse temperature β (TRL's default 0.1).</summary>
        [Hyper, Temperature] public double Beta { get; set; } = 0.1;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            -LogSigmoid(Beta * ((chosen - rejected) - (refChosen - refRejected))).Mean();
    }

    /// <summary>DPO with the hinge loss of SLiC (Zhao et al., 2023), as TRL 0.19.1's <c>dpo_loss</c> with
    /// <c>loss_type="hinge"</c> (<c>reference_free=False</c>, <c>f_divergence_type="reverse_kl"</c>) followed by
    /// <c>.mean()</c>: <c>mean_i relu(1 − β·δ_i)</c> with <c>δ = (chosen − rejected) − (refChosen − refRejected)</c>.
    /// Inputs as <see cref="DpoSigmoid"/>: per-sequence log-probabilities, the reference ones not frozen
    /// (pass constants in training).</summary>
    [Loss]
    public partial class DpoHinge
    {
        /// <summary>β, the inverse of the hinge margin (TRL's default 0.1).</summary>
        [Hyper, Temperature] public double Beta { get; set; } = 0.1;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Relu(1 - Beta * ((chosen - rejected) - (refChosen - refRejected))).Mean();
    }

    /// <summary>Identity Preference Optimization (Azar et al., 2023), as TRL 0.19.1's <c>dpo_loss</c> with
    /// <c>loss_type="ipo"</c> (<c>reference_free=False</c>, <c>f_divergence_type="reverse_kl"</c>) followed by
    /// <c>.mean()</c>: <c>mean_i (δ_i − 1/(2β))²</c> with <c>δ = (chosen − rejected) − (refChosen − refRejected)</c>.
    /// As in TRL, the inputs should be <b>per-token average</b> log-probabilities of each sequence (TRL
    /// divides the summed log-probabilities by the completion length before <c>dpo_loss</c> for IPO). The
    /// reference log-probabilities are not frozen (pass constants in training).</summary>
    [Loss]
    public partial class DpoIpo
    {
        /// <summary>The regularisation β; the target margin is <c>1/(2β)</c> (TRL's default 0.1).</summary>
        [Hyper, Temperature] public double Beta { get; set; } = 0.1;

        [Term]
        Real Preference(Vector chosen, Vector rejected, Vector refChosen, Vector refRejected) =>
            Square((chosen - rejected) - (refChosen - refRejected) - 1 / (2 * Beta)).Mean();
    }
}
