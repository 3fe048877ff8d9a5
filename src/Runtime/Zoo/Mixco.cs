using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>MixCo's mixed contrastive loss, as M3CoL's <c>mixco_nce(mix, fix, temp, perm, betas,
    /// bidirectional=True)</c> ("M3CoL: Harnessing Shared Relations via Multimodal Mixup Contrastive Learning"):
    /// with <c>S = cos(mix_i, fix_j) / τ</c> and soft targets <c>P_ij = (1 − β_i)[j = perm_i] + β_i [j = i ≠ perm_i]</c>
    /// (the mixed row's two sources; as the authors' code, the assignment to <c>perm_i</c> wins on a fixed point),
    /// <c>−mean_i Σ_j P_ij log_softmax_j(S)_ij</c>, averaged with the same over <c>Sᵀ</c> and <c>Pᵀ</c>. <c>perm</c> and
    /// <c>betas</c> (1 for unmixed rows) are constants.</summary>
    [Loss]
    public partial class MixcoNce
    {
        /// <summary>The temperature τ (M3CoL's 0.1).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.1;

        [Term(Weight = 0.5)]
        Real MixedToFixed(Embeddings mix, Embeddings fix, Labels perm, Vector betas)
        {
            var targets = MixTargets(perm, betas);
            return -LogSoftmax(Pairwise(mix, fix, Similarity.Cosine) / Temperature).Over(targets).Sum().Mean();
        }

        [Term(Weight = 0.5)]
        Real FixedToMixed(Embeddings mix, Embeddings fix, Labels perm, Vector betas)
        {
            var targets = MixTargets(perm, betas);
            return -LogSoftmax(Pairwise(mix, fix, Similarity.Cosine).Transposed() / Temperature).Over(targets.Transposed()).Sum().Mean();
        }

        /// <summary>Row i's two sources: <c>1 − β_i</c> at <c>perm_i</c>, <c>β_i</c> at i itself (unless i = perm_i).</summary>
        internal static Relation MixTargets(Labels perm, Vector betas)
        {
            var swapped = ClassOf(perm);
            return (1 - betas) * swapped.AsWeights() + betas * (Identity() & !swapped).AsWeights();
        }
    }

    /// <summary>MixCo's mixed contrastive loss in one direction, as M3CoL's <c>mixco_nce(...,
    /// bidirectional=False)</c>: <c>−mean_i Σ_j P_ij log_softmax_j(S)_ij</c> (see <see cref="MixcoNce"/>).</summary>
    [Loss]
    public partial class MixcoNceOneWay
    {
        /// <summary>The temperature τ (M3CoL's 0.1).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.1;

        [Term]
        Real MixedToFixed(Embeddings mix, Embeddings fix, Labels perm, Vector betas) =>
            -LogSoftmax(Pairwise(mix, fix, Similarity.Cosine) / Temperature).Over(Targets(perm, betas)).Sum().Mean();

        /// <summary>Row i's two sources (see <see cref="MixcoNce"/>).</summary>
        private static Relation Targets(Labels perm, Vector betas)
        {
            var swapped = ClassOf(perm);
            return (1 - betas) * swapped.AsWeights() + betas * (Identity() & !swapped).AsWeights();
        }
    }

    /// <summary>M3CoL's soft CLIP loss (<c>soft_clip_loss(preds, targs, temp)</c>), used after the mixup phase:
    /// targets <c>T = softmax_j(cos(t_i, t_j) / τ)</c> (not detached: the targets' embeddings learn through them too),
    /// logits <c>B = cos(p_i, t_j) / τ</c>, and <c>½[−mean Σ T log_softmax(B) − mean Σ T log_softmax(Bᵀ)]</c> (the
    /// second term pairs <c>Bᵀ</c> with <c>T</c> itself, as the authors' code).</summary>
    [Loss]
    public partial class SoftClip
    {
        /// <summary>The temperature τ (M3CoL's 0.125).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.125;

        [Term(Weight = 0.5)]
        Real PredictionsToTargets(Embeddings preds, Embeddings targs)
        {
            var targets = Softmax(Pairwise(targs, Similarity.Cosine) / Temperature);
            return -LogSoftmax(Pairwise(preds, targs, Similarity.Cosine) / Temperature).Over(targets).Sum().Mean();
        }

        [Term(Weight = 0.5)]
        Real TargetsToPredictions(Embeddings preds, Embeddings targs)
        {
            var targets = Softmax(Pairwise(targs, Similarity.Cosine) / Temperature);
            return -LogSoftmax(Pairwise(preds, targs, Similarity.Cosine).Transposed() / Temperature).Over(targets).Sum().Mean();
        }
    }

    /// <summary>M3CoL's multimodal mixup contrastive loss (<c>MMC.forward</c> with <c>multi_mixup</c>): each modality's
    /// rows mixed with a permutation of themselves, <c>x̃_i = β_i x_i + (1 − β_i) x_perm_i</c> (β = 1 for unmixed rows),
    /// then <c>λ [MixCo(t̃, ĩ) + MixCo(ĩ, t̃)]</c> with the bidirectional <see cref="MixcoNce"/>. As the authors' code
    /// (it mixes in place), each NCE's fixed side is the other modality's mixed embedding.</summary>
    [Loss]
    public partial class MultimodalMixco
    {
        /// <summary>The temperature τ (M3CoL's 0.1).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.1;

        /// <summary>The loss weight λ (M3CoL's <c>lambda_mixup</c>, 0.1).</summary>
        [Hyper] public double Lambda { get; set; } = 0.1;

        [Term]
        Real TextToImage(Embeddings text, Embeddings image, Labels permText, Vector betasText, Labels permImage, Vector betasImage) =>
            Lambda * MixedNce(Mix(text, permText, betasText), Mix(image, permImage, betasImage), permText, betasText);

        [Term]
        Real ImageToText(Embeddings text, Embeddings image, Labels permText, Vector betasText, Labels permImage, Vector betasImage) =>
            Lambda * MixedNce(Mix(image, permImage, betasImage), Mix(text, permText, betasText), permImage, betasImage);

        /// <summary><c>β_i x_i + (1 − β_i) x_perm_i</c>.</summary>
        private static Embeddings Mix(Embeddings x, Labels perm, Vector betas) => x * betas + x.Rows(perm) * (1 - betas);

        /// <summary>The bidirectional MixCo NCE of <see cref="MixcoNce"/>.</summary>
        private Real MixedNce(Embeddings mixed, Embeddings fixedSide, Labels perm, Vector betas)
        {
            var targets = MixcoNce.MixTargets(perm, betas);
            var s = Pairwise(mixed, fixedSide, Similarity.Cosine) / Temperature;
            return 0.5 * (-LogSoftmax(s).Over(targets).Sum().Mean() - LogSoftmax(s.Transposed()).Over(targets.Transposed()).Sum().Mean());
        }
    }
}
