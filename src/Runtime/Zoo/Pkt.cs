using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Probabilistic knowledge transfer (Passalis &amp; Tefas, 2018), as RepDistiller's <c>PKT</c>: each
    /// model's features divided by (norm + ε), their cosine similarities mapped to <c>(s + 1)/2</c> and normalised
    /// per row into conditional distributions, then <c>mean_ij t_ij log((t_ij + ε)/(m_ij + ε))</c> between the
    /// teacher's (t) and the student's (m). The reference does not freeze the teacher; freeze it in training.</summary>
    [Loss]
    public partial class Pkt
    {
        /// <summary>ε (RepDistiller's 1e-7).</summary>
        [Hyper] public double Eps { get; set; } = 1e-7;

        [Term]
        Real Transfer(Embeddings student, Embeddings teacher)
        {
            var modelSimilarity = (Pairwise(student / (Norm(student) + Eps), Similarity.Dot) + 1) / 2;
            var targetSimilarity = (Pairwise(teacher / (Norm(teacher) + Eps), Similarity.Dot) + 1) / 2;
            var model = modelSimilarity / modelSimilarity.RowSum();
            var target = targetSimilarity / targetSimilarity.RowSum();
            return (target * Log((target + Eps) / (model + Eps))).Mean();
        }
    }
}
