using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Proxy-NCA (Movshovitz-Attias et al., 2017, "No Fuss Distance Metric Learning using Proxies"), as
    /// pytorch-metric-learning 2.8.1's <c>ProxyNCALoss(num_classes, embedding_size, softmax_scale=1)</c>: NCA against one
    /// proxy per class <c>[C, D]</c> with PML's default <c>LpDistance(power=2)</c>, the squared Euclidean distance of
    /// L2-normalised embeddings and proxies: <c>mean_i −log softmax_c(−s·d²(z_i, p_c))_{y_i}</c>, i.e. cross-entropy with
    /// logits <c>−s·d²</c> (PML drops a sample whose probability underflows to exactly 0; in float64 that needs
    /// <c>s·d²</c> gaps above ~745, which unit vectors reach only for s &gt; 186). A batch of one is an ordinary batch.</summary>
    [Loss]
    public partial class ProxyNca
    {
        /// <summary>The softmax scale s (PML's default 1).</summary>
        [Hyper] public double SoftmaxScale { get; set; } = 1;

        [Term]
        Real Proxies(Embeddings z, Labels y, [Dims("C", "D_z")] Embeddings proxies) =>
            CrossEntropy((-SoftmaxScale * Pairwise(Normalize(z), Normalize(proxies), Distance.SqEuclidean)).AsLogits(), y);
    }
}
