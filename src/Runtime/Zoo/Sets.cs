using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>The set loss of "Order Matters: Sequence to sequence for sets" (Vinyals et al., 2016): a set has no order,
    /// so the output sequence is scored against its best ordering, <c>min_π Σ_t −log p_t(y_(π(t)))</c>. When the steps'
    /// distributions do not depend on the order (separable costs), the minimum over the orderings is an optimal assignment
    /// of steps to elements, solved exactly (Hungarian) per set: the steps of every set are flattened into
    /// <c>stepLogits</c> <c>[P, C]</c> (<c>stepSet</c> <c>[P]</c>: the set of each step) and the elements into
    /// <c>elements</c> <c>[G]</c> (class ids, <c>elementSet</c> <c>[G]</c>). The loss is the mean of
    /// <c>−log p_step(element)</c> over the matched pairs, the assignment held fixed (not differentiated). A set with more
    /// steps than elements leaves steps unmatched; ties in the assignment are broken as scipy does; no pair gives 0.</summary>
    [Loss]
    public partial class OrderMattersSet
    {
        [Term]
        Real Nll([Dims("P", "C")] Logits stepLogits, [Dims("P")] Labels stepSet, [Dims("G")] Labels elements, [Dims("G")] Labels elementSet)
        {
            var cost = -LogSoftmax(stepLogits).Columns(elements);
            var matched = cost.At(Assign(Frozen(cost).Over(SameLabel(stepSet, elementSet))));
            return matched.Sum() / Maximum(matched.Count(), 1);
        }
    }

    /// <summary>Hydra-SGG's hybrid relation assignment (Chen et al., 2024, "Hydra-SGG: Hybrid Relation Assignment for One-stage
    /// Scene Graph Generation") on a DETR-style relation head. Each query predicts a subject box, an object box
    /// (<c>(cx, cy, w, h)</c>, <c>[Q, 4]</c>) and predicate logits <c>[Q, K]</c> (the last class: no relation); the queries
    /// of all images are flattened (<c>queryImage</c>), the ground-truth relations concatenated (<c>targetImage</c>).
    /// <list type="bullet">
    /// <item>One-to-one (DETR's Hungarian matching per image, cost <c>c_class·(−p(predicate)) + c_box·(L1_s + L1_o) +
    /// c_giou·(−GIoU_s − GIoU_o)</c>): Classes, the weighted cross-entropy of every query (its matched predicate or no
    /// relation; <c>classWeights</c> <c>[K]</c>, DETR's <c>empty_weight</c>), and Boxes, <c>Σ (L1 + 1 − GIoU)</c> of both
    /// boxes over the matched pairs divided by the number of relations (at least 1).</item>
    /// <item>One-to-many (IoU-based): every query whose subject and object boxes both overlap a relation's, with
    /// <c>min(GIoU_s, GIoU_o) ≥ threshold</c>, at most <c>topK</c> queries per relation (best first; <see cref="Dsl.AssignMany"/>),
    /// becomes another positive: ManyClasses, the mean cross-entropy of those pairs' predicates, and ManyBoxes, the
    /// mean <c>L1 + 1 − GIoU</c> of both boxes over those pairs (0 when none).</item>
    /// </list>
    /// Both assignments are held fixed (not differentiated). GIoU stands in for the paper's IoU (the DSL compares boxes
    /// by GIoU); the one-to-many branch here scores only its pairs (no extra "no relation" targets), and threshold 0.5,
    /// top-k 3 are our defaults.</summary>
    [Loss]
    public partial class HydraSgg
    {
        /// <summary>The matcher's class cost weight (DETR's 1).</summary>
        [Hyper] public double CostClass { get; set; } = 1;

        /// <summary>The matcher's L1 box cost weight (DETR's 5).</summary>
        [Hyper] public double CostBox { get; set; } = 5;

        /// <summary>The matcher's GIoU cost weight (DETR's 2).</summary>
        [Hyper] public double CostGiou { get; set; } = 2;

        /// <summary>The least <c>min(GIoU_s, GIoU_o)</c> of a one-to-many pair.</summary>
        [Hyper] public double Threshold { get; set; } = 0.5;

        /// <summary>The most queries per relation in the one-to-many assignment.</summary>
        [Hyper] public double TopK { get; set; } = 3;

        [Term]
        Real Classes([Dims("Q", "K")] Logits queryLogits, [Dims("Q", "4")] Boxes querySubjects, [Dims("Q", "4")] Boxes queryObjects,
            [Dims("Q")] Labels queryImage, [Dims("G")] Labels predicates, [Dims("G", "4")] Boxes subjects, [Dims("G", "4")] Boxes objects,
            [Dims("G")] Labels targetImage, [Frozen, Dims("K")] Vector classWeights) =>
            CrossEntropy(queryLogits,
                OneToOne(queryLogits, querySubjects, queryObjects, queryImage, predicates, subjects, objects, targetImage)
                    .Labels(predicates, unmatched: classWeights.Count() - 1),
                classWeights);

        [Term]
        Real Boxes([Dims("Q", "K")] Logits queryLogits, [Dims("Q", "4")] Boxes querySubjects, [Dims("Q", "4")] Boxes queryObjects,
            [Dims("Q")] Labels queryImage, [Dims("G")] Labels predicates, [Dims("G", "4")] Boxes subjects, [Dims("G", "4")] Boxes objects,
            [Dims("G")] Labels targetImage)
        {
            var matching = OneToOne(queryLogits, querySubjects, queryObjects, queryImage, predicates, subjects, objects, targetImage);
            return BoxLoss(querySubjects, queryObjects, subjects, objects, matching).Sum() / Maximum(predicates.Count(), 1);
        }

        [Term]
        Real ManyClasses([Dims("Q", "K")] Logits queryLogits, [Dims("Q", "4")] Boxes querySubjects, [Dims("Q", "4")] Boxes queryObjects,
            [Dims("Q")] Labels queryImage, [Dims("G")] Labels predicates, [Dims("G", "4")] Boxes subjects, [Dims("G", "4")] Boxes objects,
            [Dims("G")] Labels targetImage)
        {
            var pairs = OneToMany(querySubjects, queryObjects, queryImage, subjects, objects, targetImage);
            var nll = (-LogSoftmax(queryLogits).Columns(predicates)).At(pairs);
            return nll.Sum() / Maximum(nll.Count(), 1);
        }

        [Term]
        Real ManyBoxes([Dims("Q", "4")] Boxes querySubjects, [Dims("Q", "4")] Boxes queryObjects, [Dims("Q")] Labels queryImage,
            [Dims("G", "4")] Boxes subjects, [Dims("G", "4")] Boxes objects, [Dims("G")] Labels targetImage)
        {
            var losses = BoxLoss(querySubjects, queryObjects, subjects, objects, OneToMany(querySubjects, queryObjects, queryImage, subjects, objects, targetImage));
            return losses.Sum() / Maximum(losses.Count(), 1);
        }

        /// <summary>DETR's Hungarian matcher for relations, per image.</summary>
        private Matching OneToOne(Logits queryLogits, Boxes querySubjects, Boxes queryObjects, Labels queryImage,
            Labels predicates, Boxes subjects, Boxes objects, Labels targetImage)
        {
            var cost = CostBox * (Pairwise(querySubjects, subjects, Distance.L1) + Pairwise(queryObjects, objects, Distance.L1))
                       - CostClass * Softmax(queryLogits).Columns(predicates)
                       - CostGiou * (Pairwise(querySubjects, subjects, Similarity.GeneralizedIoU) + Pairwise(queryObjects, objects, Similarity.GeneralizedIoU));
            return Assign(Frozen(cost).Over(SameLabel(queryImage, targetImage)));
        }

        /// <summary>The IoU-based one-to-many assignment, per image.</summary>
        private Matching OneToMany(Boxes querySubjects, Boxes queryObjects, Labels queryImage, Boxes subjects, Boxes objects, Labels targetImage)
        {
            var overlap = Minimum(Pairwise(querySubjects, subjects, Similarity.GeneralizedIoU), Pairwise(queryObjects, objects, Similarity.GeneralizedIoU));
            return AssignMany(Frozen(overlap).Over(SameLabel(queryImage, targetImage)), Threshold, TopK);
        }

        /// <summary><c>L1 + 1 − GIoU</c> of the subject and object boxes of each pair, <c>[M]</c>.</summary>
        private static Vector BoxLoss(Boxes querySubjects, Boxes queryObjects, Boxes subjects, Boxes objects, Matching pairs) =>
            Abs(querySubjects.Rows(pairs.Rows()) - subjects.Rows(pairs.Columns())).RowSum()
            + Abs(queryObjects.Rows(pairs.Rows()) - objects.Rows(pairs.Columns())).RowSum()
            + (2 - Pairwise(querySubjects, subjects, Similarity.GeneralizedIoU).At(pairs) - Pairwise(queryObjects, objects, Similarity.GeneralizedIoU).At(pairs));
    }
}
