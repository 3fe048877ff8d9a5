using static LossDsl.Dsl;

namespace LossDsl.Tests.Fusion
{
    /// <summary>The fused region alone (NT-Xent's denominator): nothing else in the loss needs the N×N
    /// relation, so with fusion on the whole loss runs in O(N·D) memory.</summary>
    [Loss]
    public partial class FusedNegatives
    {
        [Hyper] public double Temperature { get; set; } = 0.1;

        [Term]
        Scalar Denominator(Embeddings z, Labels y) =>
            (Pairwise(Normalize(z), Similarity.Dot) / Temperature).Over(DifferentLabel(y)).LogSumExp().Mean();
    }

    /// <summary>Every other shape the planner fuses, one per term: a scale on the left, two operands,
    /// no scale, the diagonal dropped from a label graph, and a region sharing its relation.</summary>
    [Loss]
    public partial class FusedShapes
    {
        [Hyper] public double Scale { get; set; } = 2.5;

        [Term]
        Scalar PositivesLeftScale(Embeddings z, Labels y) =>
            (Scale * Pairwise(Normalize(z), Similarity.Dot)).Over(SameLabel(y).ExcludeSelf()).LogSumExp().Sum();

        [Term(Weight = 0.5)]
        Scalar TwoOperands(Embeddings z, Embeddings w) =>
            (Pairwise(z, w, Similarity.Dot) * 0.3).Over(AllPairs()).LogSumExp().Mean();

        [Term]
        Scalar Unscaled(Embeddings w, Labels y) =>
            Pairwise(w, Similarity.Dot).Over(DifferentLabel(y).ExcludeSelf()).LogSumExp().Sum();

        [Term]
        Scalar SharedRelation(Embeddings z, Labels y) =>
            (Pairwise(z, Similarity.Dot) / 4.0).Over(AllPairs().ExcludeSelf()).LogSumExp().Mean()
            - (Pairwise(z, Similarity.Dot) / 4.0).Over(SameLabel(y)).Mean().Mean();
    }

    /// <summary><c>[Loss(Fuse = false)]</c>: the same denominator, never fused.</summary>
    [Loss(Fuse = false)]
    public partial class UnfusedNegatives
    {
        [Hyper] public double Temperature { get; set; } = 0.1;

        [Term]
        Scalar Denominator(Embeddings z, Labels y) =>
            (Pairwise(Normalize(z), Similarity.Dot) / Temperature).Over(DifferentLabel(y)).LogSumExp().Mean();
    }
}
