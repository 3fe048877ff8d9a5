using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>DETR's set criterion (Carion et al., 2020, "End-to-End Object Detection with Transformers"), as the
    /// authors' <c>SetCriterion</c> with its <c>HungarianMatcher</c>. The queries of every image are flattened into one
    /// batch <c>[Q]</c> (the image of each in <c>queryImage</c>) and the targets of every image concatenated into
    /// <c>[G]</c> (<c>targetImage</c>); boxes are <c>(cx, cy, w, h)</c>. Per image, queries and targets are matched one
    /// to one at minimum cost <c>c_bbox·‖b̂ − b‖₁ − c_class·p̂(class) − c_giou·GIoU(b̂, b)</c> (exact Hungarian matching,
    /// not differentiated). Then <c>w_ce·CE</c> over every query (the matched target's class, or "no object" = the
    /// last class (one more than the objects' classes); weighted by <c>classWeights</c>, DETR's <c>empty_weight</c>: 1 for each class and eos_coef for no
    /// object, the mean dividing by the weights' sum), <c>w_bbox·Σ‖b̂ − b‖₁ / G</c> and <c>w_giou·Σ(1 − GIoU) / G</c>
    /// over the matched pairs (G clamped to ≥ 1).</summary>
    [Loss]
    public partial class DetrSetCriterion
    {
        /// <summary>The matcher's class cost weight (DETR's <c>set_cost_class</c>, 1).</summary>
        [Hyper] public double CostClass { get; set; } = 1;

        /// <summary>The matcher's L1 box cost weight (<c>set_cost_bbox</c>, 5).</summary>
        [Hyper] public double CostBbox { get; set; } = 5;

        /// <summary>The matcher's GIoU cost weight (<c>set_cost_giou</c>, 2).</summary>
        [Hyper] public double CostGiou { get; set; } = 2;

        /// <summary>The classification loss's weight (<c>weight_dict["loss_ce"]</c>, 1).</summary>
        [Hyper] public double ClassWeight { get; set; } = 1;

        /// <summary>The L1 box loss's weight (<c>weight_dict["loss_bbox"]</c>, 5).</summary>
        [Hyper] public double BoxWeight { get; set; } = 5;

        /// <summary>The GIoU loss's weight (<c>weight_dict["loss_giou"]</c>, 2).</summary>
        [Hyper] public double GiouWeight { get; set; } = 2;

        [Term]
        Real Classes([Dims("Q", "K")] Logits queryLogits, [Dims("Q", "4")] Boxes queryBoxes, [Dims("Q")] Labels queryImage,
            [Dims("G")] Labels targetLabels, [Dims("G", "4")] Boxes targetBoxes, [Dims("G")] Labels targetImage,
            [Dims("K")] Vector classWeights) =>
            ClassWeight * CrossEntropy(queryLogits,
                Match(queryLogits, queryBoxes, queryImage, targetLabels, targetBoxes, targetImage).Labels(targetLabels, unmatched: classWeights.Count() - 1),
                classWeights);

        [Term]
        Real Boxes([Dims("Q", "K")] Logits queryLogits, [Dims("Q", "4")] Boxes queryBoxes, [Dims("Q")] Labels queryImage,
            [Dims("G")] Labels targetLabels, [Dims("G", "4")] Boxes targetBoxes, [Dims("G")] Labels targetImage)
        {
            var matching = Match(queryLogits, queryBoxes, queryImage, targetLabels, targetBoxes, targetImage);
            var l1 = Abs(queryBoxes.Rows(matching.Rows()) - targetBoxes.Rows(matching.Columns())).Sum();
            return BoxWeight * l1 / Maximum(targetLabels.Count(), 1);
        }

        [Term]
        Real GeneralizedIoU([Dims("Q", "K")] Logits queryLogits, [Dims("Q", "4")] Boxes queryBoxes, [Dims("Q")] Labels queryImage,
            [Dims("G")] Labels targetLabels, [Dims("G", "4")] Boxes targetBoxes, [Dims("G")] Labels targetImage)
        {
            var matching = Match(queryLogits, queryBoxes, queryImage, targetLabels, targetBoxes, targetImage);
            var giou = Pairwise(queryBoxes, targetBoxes, Similarity.GeneralizedIoU).At(matching);
            return GiouWeight * (1 - giou).Sum() / Maximum(targetLabels.Count(), 1);
        }

        /// <summary>The Hungarian matcher: per image, the one-to-one assignment of least cost.</summary>
        private Matching Match(Logits queryLogits, Boxes queryBoxes, Labels queryImage,
            Labels targetLabels, Boxes targetBoxes, Labels targetImage)
        {
            var cost = CostBbox * Pairwise(queryBoxes, targetBoxes, Distance.L1)
                       - CostClass * Softmax(queryLogits).Columns(targetLabels)
                       - CostGiou * Pairwise(queryBoxes, targetBoxes, Similarity.GeneralizedIoU);
            return Assign(Frozen(cost).Over(SameLabel(queryImage, targetImage)));
        }
    }
}
