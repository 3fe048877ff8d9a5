using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>FitNets hint loss (Romero et al., 2015, "FitNets: Hints for Thin Deep Nets"), as RepDistiller's
    /// <c>HintLoss</c> (<c>nn.MSELoss()(f_s, f_t)</c>): the mean squared error between the student's (regressed) features
    /// and the teacher's, over all entries. Pass the student's features after its regressor, same shape as the teacher's
    /// <c>[N, D]</c> (flatten feature maps). The teacher is frozen (RepDistiller computes it without gradient).</summary>
    [Loss]
    public partial class FitNet
    {
        [Term]
        Real Hint(Embeddings student, [Frozen] Embeddings teacher) => Mse(student, teacher);
    }

    /// <summary>Attention transfer (Zagoruyko &amp; Komodakis, 2017, "Paying More Attention to Attention"), as RepDistiller's
    /// <c>Attention(p=2).at_loss</c> for one pair of feature maps <c>[N, C, H, W]</c> (channels may differ): each map's
    /// attention <c>a = normalize(mean_c f^p)</c> over its H·W positions (<c>F.normalize</c>, ε = 1e-12), then
    /// <c>mean (a_s − a_t)²</c> over N·H·W. RepDistiller pools the larger map to the smaller's size first; here both must
    /// share H and W (pool beforehand), and RepDistiller's list of layer pairs is one loss per pair. The teacher is frozen.
    /// All-zero maps give a zero attention and no NaN.</summary>
    [Loss]
    public partial class AttentionTransfer
    {
        /// <summary>The power p of the activations (RepDistiller's default 2).</summary>
        [Hyper] public double P { get; set; } = 2;

        [Term]
        Real Attention([Dims("N", "C_s", "H", "W")] Embeddings student, [Frozen, Dims("N", "C_t", "H", "W")] Embeddings teacher)
        {
            var s = Pow(student, P).Mean("C_s");
            var t = Pow(teacher, P).Mean("C_t");
            var sNorm = Sqrt(Maximum(Square(s).Sum("H", "W"), 1e-24));
            var tNorm = Sqrt(Maximum(Square(t).Sum("H", "W"), 1e-24));
            return Square(s / sNorm - t / tNorm).Mean();
        }
    }

    /// <summary>Similarity-preserving distillation (Tung &amp; Mori, ICCV 2019), as RepDistiller's
    /// <c>Similarity.similarity_loss</c>: the Gram matrices <c>G = f fᵀ</c> of the flattened student and teacher features
    /// <c>[N, D]</c>, each row L2-normalised, compared by <c>Σ (G_t − G_s)² / N²</c>. Widths may differ. The teacher is
    /// frozen. A batch of one gives 0 (both normalised 1×1 Gram matrices are 1, or 0 for a zero row).</summary>
    [Loss]
    public partial class SimilarityPreserving
    {
        [Term]
        Real Gram(Embeddings student, [Frozen] Embeddings teacher) =>
            Mse(Normalize(Pairwise(teacher, Similarity.Dot)), Normalize(Pairwise(student, Similarity.Dot)));
    }

    /// <summary>Correlation congruence (Peng et al., ICCV 2019), exactly as RepDistiller's <c>Correlation</c> (the authors'
    /// shared code): with <c>δ_i = |f_s,i − f_t,i|</c>, <c>mean_i ⟨δ_i, δ_{i+1}⟩</c> over the N − 1 consecutive pairs of the
    /// batch (<c>(δ[:-1] · δ[1:]).sum(1).mean()</c>), written as a relation over the <see cref="Dsl.NextRow"/> graph. Student
    /// and teacher embeddings have the same width. The teacher is frozen. A batch of one has no pair and gives 0
    /// (RepDistiller's mean of an empty tensor is NaN).</summary>
    [Loss]
    public partial class CorrelationCongruence
    {
        [Term]
        Real Correlation(Embeddings student, [Frozen] Embeddings teacher) =>
            Pairwise(Abs(student - teacher), Similarity.Dot).Over(NextRow()).MeanOverPairs();
    }

    /// <summary>Neuron selectivity transfer (Huang &amp; Wang, 2017, "Like What You Like"), as RepDistiller's
    /// <c>NSTLoss.nst_loss</c>: each channel's activations over the H·W positions, <c>[N, C, HW]</c> (as
    /// <see cref="Tokens"/>: channels are the tokens), L2-normalised, then the squared MMD with the polynomial kernel
    /// <c>k(a, b) = ⟨a, b⟩²</c> between the student's and the teacher's channels of each sample:
    /// <c>mean k(t, t) + mean k(s, s) − 2 mean k(s, t)</c> (means over N × channels × channels). Channel counts may
    /// differ; H·W must agree (RepDistiller pools first). The teacher term is constant (detached in RepDistiller).</summary>
    [Loss]
    public partial class Nst
    {
        [Term]
        Real Selectivity([Dims("N", "C_s", "HW")] Tokens student, [Frozen, Dims("N", "C_t", "HW")] Tokens teacher)
        {
            var s = Normalize(student);
            var t = Normalize(teacher);
            return Square(Pairwise(t, Similarity.Dot)).Mean() + Square(Pairwise(s, Similarity.Dot)).Mean()
                   - 2 * Square(Pairwise(s, t, Similarity.Dot)).Mean();
        }
    }
}
