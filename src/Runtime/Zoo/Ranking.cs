using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Bayesian personalised ranking (Rendle et al., 2009, "BPR: Bayesian Personalized Ranking from Implicit
    /// Feedback") for matrix factorisation: triples <c>[B, 3]</c> (user, observed item, unobserved item) index the user
    /// and item tables, the score is <c>s_ui = ⟨u, i⟩</c>, and Ranking <c>= mean_b −log σ(s_ui − s_uj)</c>;
    /// Regularizer <c>= λ/2 · mean_b (‖u‖² + ‖i‖² + ‖j‖²)</c> over the rows the batch reads (as LightGCN's BPR code).
    /// Equal scores give log 2 per triple.</summary>
    [Loss]
    public partial class Bpr
    {
        /// <summary>The L2 regularisation λ (0: none).</summary>
        [Hyper] public double Regularization { get; set; } = 0;

        [Term]
        Real Ranking([Dims("U", "D")] Embeddings users, [Dims("I", "D")] Embeddings items, [Dims("B", "3")] Indices triples) =>
            -LogSigmoid(Ranked.Margin(users, items, triples)).Mean();

        [Term]
        Real Regularizer([Dims("U", "D")] Embeddings users, [Dims("I", "D")] Embeddings items, [Dims("B", "3")] Indices triples) =>
            Regularization / 2 * (Square(users.Rows(triples.Column(0))).RowSum() + Square(items.Rows(triples.Column(1))).RowSum()
                                  + Square(items.Rows(triples.Column(2))).RowSum()).Mean();
    }

    /// <summary>Formulas the ranking losses share (inlined by the generator).</summary>
    public static class Ranked
    {
        /// <summary><c>⟨u, i⟩ − ⟨u, j⟩</c> of each (user, observed item i, unobserved item j) triple, <c>[B]</c>.</summary>
        public static Vector Margin(Embeddings users, Embeddings items, Indices triples)
        {
            var user = users.Rows(triples.Column(0));
            return Dot(user, items.Rows(triples.Column(1))) - Dot(user, items.Rows(triples.Column(2)));
        }
    }

    /// <summary>The margin ranking loss, as PyTorch's <c>MarginRankingLoss(margin)</c>: <c>mean_i max(0, −y_i (x1_i − x2_i)
    /// + margin)</c>, with <c>y = +1</c> where x1 should rank higher and −1 where x2 should. Equal scores give the margin.</summary>
    [Loss]
    public partial class MarginRanking
    {
        /// <summary>The margin (PyTorch's default 0).</summary>
        [Hyper] public double Margin { get; set; } = 0;

        [Term]
        Real Ranking(Vector x1, Vector x2, [Frozen] Vector y) => Relu(-y * (x1 - x2) + Margin).Mean();
    }

    /// <summary>The pairwise loss of PLD (Zhang et al., 2025, "Personalized Denoising Implicit Feedback for Robust
    /// Recommender System", WWW): BPR over (user, item, negative item) triples <c>[B, 3]</c> with matrix-factorisation
    /// scores, each triple weighted by its user's resampling weight (<c>[U]</c>, an input: PLD derives it from the
    /// distribution of the user's interaction losses, outside the loss), <c>Σ_b w_(u_b) (−log σ(s_ui − s_uj)) / Σ_b w_(u_b)</c>.
    /// All-zero weights give 0.</summary>
    [Loss]
    public partial class PersonalizedDenoising
    {
        [Term]
        Real Ranking([Dims("U", "D")] Embeddings users, [Dims("I", "D")] Embeddings items, [Dims("B", "3")] Indices triples,
            [Frozen, Dims("U")] Vector userWeights)
        {
            var weights = userWeights.Rows(triples.Column(0));
            return (weights * -LogSigmoid(Ranked.Margin(users, items, triples))).Sum() / Maximum(weights.Sum(), 1e-30);
        }
    }
}
