using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>PaLM's z-loss (Chowdhery et al., 2022) as OLMo's <c>cross_entropy_loss(..., compute_z_loss=True,
    /// reduction='mean')</c> computes it: <c>multiplier · logsumexp(logits_t)²</c> per token, 0 for ignored tokens
    /// (label −100), divided by the number of all tokens (ignored ones included, as OLMo's non-fused path does).</summary>
    [Loss]
    public partial class ZLoss
    {
        /// <summary>The z-loss multiplier (OLMo's default 1e-4).</summary>
        [Hyper] public double Multiplier { get; set; } = 1e-4;

        [Term]
        Real Z(Logits logits, [Ignore(-100)] Labels labels) => PerToken(logits, labels, Multiplier).Mean();

        /// <summary><c>multiplier · logsumexp(logits_t)²</c> per token, 0 for ignored tokens.</summary>
        internal static Vector PerToken(Logits logits, Labels labels, double multiplier) =>
            multiplier * Square(logits.RowLogSumExp()) * labels.Valid().AsWeights();
    }

    /// <summary>PaLM's z-loss as OLMo computes it with <c>reduction='sum'</c>: <c>Σ_t multiplier · logsumexp(logits_t)²</c>
    /// over the tokens that are not ignored.</summary>
    [Loss]
    public partial class ZLossSum
    {
        /// <summary>The z-loss multiplier (OLMo's default 1e-4).</summary>
        [Hyper] public double Multiplier { get; set; } = 1e-4;

        [Term]
        Real Z(Logits logits, [Ignore(-100)] Labels labels) => ZLoss.PerToken(logits, labels, Multiplier).Sum();
    }

    /// <summary>OLMo's language-model loss with the z-loss (<c>reduction='mean'</c>): the token cross-entropy averaged
    /// over the tokens that are not ignored, plus <see cref="ZLoss"/>.</summary>
    [Loss]
    public partial class CrossEntropyWithZLoss
    {
        /// <summary>The z-loss multiplier (OLMo's default 1e-4).</summary>
        [Hyper] public double Multiplier { get; set; } = 1e-4;

        [Term]
        Real CrossEntropy(Logits logits, [Ignore(-100)] Labels labels) => Dsl.CrossEntropy(logits, labels);

        [Term]
        Real Z(Logits logits, [Ignore(-100)] Labels labels) => ZLoss.PerToken(logits, labels, Multiplier).Mean();
    }
}
