using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Proxy-Anchor loss (Kim et al., 2020, "Proxy Anchor Loss for Deep Metric Learning"), as
    /// pytorch-metric-learning 2.8.1's <c>ProxyAnchorLoss(num_classes, embedding_size, margin, alpha)</c> with cosine
    /// similarity to the class proxies <c>[C, D]</c>: per proxy c,
    /// <c>pos_c = log(1 + Σ_{i: y_i = c} e^{−α(s_ic − δ)})</c> averaged over the proxies that have a sample in the
    /// batch, plus <c>neg_c = log(1 + Σ_{i: y_i ≠ c} e^{α(s_ic + δ)})</c> averaged over all C proxies. A proxy whose
    /// class is absent from the batch still pushes its negatives away.</summary>
    [Loss]
    public partial class ProxyAnchor
    {
        /// <summary>The margin δ (PML's default 0.1).</summary>
        [Hyper] public double Margin { get; set; } = 0.1;

        /// <summary>The scale α (PML's default 32).</summary>
        [Hyper] public double Alpha { get; set; } = 32;

        [Term]
        Real Proxies(Embeddings z, Labels y, [Dims("C", "D_z")] Embeddings proxies)
        {
            // Per proxy: the batch's similarities to it, one row per proxy.
            var s = Pairwise(proxies, z, Similarity.Cosine);
            var members = ClassOf(y).Transposed();
            var pull = Softplus((Alpha * (Margin - s)).Over(members).LogSumExp());
            var push = Softplus((Alpha * (s + Margin)).Over(!members).LogSumExp());
            return pull.MeanWhere(members.HasAny()) + push.Mean();
        }
    }
}
