using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>The contrastive loss with the statistics of "Understanding the Behaviour of Contrastive Loss" (Wang &amp;
    /// Liu, CVPR 2021). The batch stacks two views, rows i and i + N/2 being the same sample (SimCLR's layout):
    /// <c>Contrast = mean_i [lse_{j ≠ i} s_ij − s_{i,i'}]</c> with <c>s = cos / τ</c> and i' the other view. Three more terms,
    /// of weight 0 and without gradient, show in <c>LossResult</c> how τ trades uniformity against tolerance:
    /// <c>PositiveSimilarity = mean_i cos(z_i, z_i')</c>; <c>HardestNegativeSimilarity = mean_i max_{j ∉ {i, i'}} cos(z_i, z_j)</c>
    /// (over the anchors that have a negative; 0 when none has); <c>Uniformity = log mean_{i ≠ j} exp(−2‖ẑ_i − ẑ_j‖²)</c> on
    /// normalised embeddings (Wang &amp; Isola's measure, t = 2; 0 for a batch of one). A batch of one has no other view:
    /// every term is 0 (the pair of a row with itself is never a positive). A small τ concentrates the loss
    /// on the hardest negatives (more uniform embeddings), a large one tolerates close negatives.</summary>
    [Loss]
    public partial class ContrastiveWithStatistics
    {
        /// <summary>The temperature τ (default 0.2; the paper sweeps 0.07–1).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.2;

        [Term]
        Real Contrast(Embeddings z)
        {
            var s = Pairwise(Normalize(z), Similarity.Dot) / Temperature;
            return (s.Over(AllPairs().ExcludeSelf()).LogSumExp() - s).Over(OtherView().ExcludeSelf()).Sum().Mean();
        }

        [Term(Weight = 0)]
        Real PositiveSimilarity(Embeddings z) => Pairwise(Frozen(z), Similarity.Cosine).Over(OtherView().ExcludeSelf()).Sum().Mean();

        [Term(Weight = 0)]
        Real HardestNegativeSimilarity(Embeddings z)
        {
            var negatives = AllPairs().ExcludeSelf() & !OtherView();
            return Pairwise(Frozen(z), Similarity.Cosine).Over(negatives).Max().MeanWhere(negatives.HasAny());
        }

        [Term(Weight = 0)]
        Real Uniformity(Embeddings z)
        {
            var pairs = AllPairs().ExcludeSelf();
            var mean = Exp(-2 * Pairwise(Normalize(Frozen(z)), Distance.SqEuclidean)).Over(pairs).MeanOverPairs();
            return Log(mean + Relu(1 - pairs.AsWeights().Sum()));
        }
    }

    /// <summary>Image–text contrastive loss with composition-aware hard negatives ("When and why vision-language models
    /// behave like bags-of-words, and what to do about it?", Yuksekgonul et al., ICLR 2023; NegCLIP): CLIP's symmetric
    /// InfoNCE between images <c>[N, D]</c> and their captions <c>[N, D]</c>, where each image's softmax over captions also
    /// holds its own K hard-negative captions <c>[N, K, D]</c> (word-order or attribute swaps of its caption):
    /// <c>½ mean_i [log(Σ_j e^{s_ij} + Σ_k e^{h_ik}) − s_ii] + ½ mean_j [lse_i s_ij − s_jj]</c>, with <c>s = cos / τ</c>
    /// between images and captions and <c>h_ik = cos(image_i, negative_ik) / τ</c>. NegCLIP's code appends the negatives
    /// to the whole caption batch (every image meets every negative); this loss follows the statement,
    /// per-sample negatives, and says so in the zoo table. A batch of one still has its hard negatives.</summary>
    [Loss]
    public partial class HardNegativeClip
    {
        /// <summary>The temperature τ (default 0.01: CLIP's logit scale 100).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.01;

        [Term(Weight = 0.5)]
        Real ImageToText(Embeddings image, Embeddings text, [Dims("N", "K", "D_image")] Embeddings hardNegatives)
        {
            var s = Pairwise(image, text, Similarity.Cosine) / Temperature;
            var hard = (Normalize(hardNegatives) * Normalize(image)).RowSum() / Temperature;
            return (LogAddExp(s.RowLogSumExp(), hard.RowLogSumExp()) - s.Over(Identity()).Sum()).Mean();
        }

        [Term(Weight = 0.5)]
        Real TextToImage(Embeddings image, Embeddings text)
        {
            var s = Pairwise(image, text, Similarity.Cosine).Transposed() / Temperature;
            return (s.RowLogSumExp() - s.Over(Identity()).Sum()).Mean();
        }
    }
}
