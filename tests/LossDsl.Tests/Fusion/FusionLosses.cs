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
        Real Denominator(Embeddings z, Labels y) =>
            (Pairwise(Normalize(z), Similarity.Dot) / Temperature).Over(DifferentLabel(y)).LogSumExp().Mean();
    }

    /// <summary>Every other shape the planner fuses, one per term: a scale on the left, two operands,
    /// no scale, the diagonal dropped from a label graph, and a region sharing its relation.</summary>
    [Loss]
    public partial class FusedShapes
    {
        [Hyper] public double Scale { get; set; } = 2.5;

        [Term]
        Real PositivesLeftScale(Embeddings z, Labels y) =>
            (Scale * Pairwise(Normalize(z), Similarity.Dot)).Over(SameLabel(y).ExcludeSelf()).LogSumExp().Sum();

        [Term(Weight = 0.5)]
        Real TwoOperands(Embeddings z, Embeddings w) =>
            (Pairwise(z, w, Similarity.Dot) * 0.3).Over(AllPairs()).LogSumExp().Mean();

        [Term]
        Real Unscaled(Embeddings w, Labels y) =>
            Pairwise(w, Similarity.Dot).Over(DifferentLabel(y).ExcludeSelf()).LogSumExp().Sum();

        [Term]
        Real SharedRelation(Embeddings z, Labels y) =>
            (Pairwise(z, Similarity.Dot) / 4.0).Over(AllPairs().ExcludeSelf()).LogSumExp().Mean()
            - (Pairwise(z, Similarity.Dot) / 4.0).Over(SameLabel(y)).Mean().Mean();
    }

    /// <summary><c>[Loss(Fuse = false)]</c>: the same denominator, never fused.</summary>
    [Loss(Fuse = false)]
    public partial class UnfusedNegatives
    {
        [Hyper] public double Temperature { get; set; } = 0.1;

        [Term]
        Real Denominator(Embeddings z, Labels y) =>
            (Pairwise(Normalize(z), Similarity.Dot) / Temperature).Over(DifferentLabel(y)).LogSumExp().Mean();
    }

    /// <summary>The pair-sum shape, one variant per term: two operands with a hyper and relu (row sum), a
    /// row value that carries gradient back to z (sum over pairs), a fused log-sum-exp as the row value
    /// under log-sigmoid (row mean, the diagonal kept), sigmoid ∘ |·| times a vector (mean over pairs), and a detached row
    /// value (row mean, then a sum).</summary>
    [Loss]
    public partial class FusedPairSums
    {
        [Hyper] public double Margin { get; set; } = 0.5;
        [Hyper] public double Scale { get; set; } = 2.0;

        [Term]
        Real HingeRowSum(Embeddings z, Embeddings w) =>
            Relu(Margin - Pairwise(z, w, Similarity.Dot)).Over(AllPairs()).Sum().Mean();

        [Term(Weight = 0.1)]
        Real SquaredGap(Embeddings z, Labels y) =>
            Square(Pairwise(Normalize(z), Similarity.Dot) - Norm(z)).Over(DifferentLabel(y).ExcludeSelf()).SumOverPairs();

        [Term]
        Real LogSigmoidRowMean(Embeddings w, Labels y) =>
            (-LogSigmoid(Pairwise(w, Similarity.Dot) * 0.5 - Pairwise(w, Similarity.Dot).Over(AllPairs().ExcludeSelf()).LogSumExp()))
                .Over(SameLabel(y)).Mean().Mean();

        [Term]
        Real SigmoidAbsMean(Embeddings z, Labels y) =>
            (Sigmoid(Abs(Pairwise(z, Similarity.Dot)) / Scale) * Exp(-Norm(z))).Over(DifferentLabel(y)).MeanOverPairs();

        // A row value that carries no gradient (its tensor does not require grad), relu, row mean then sum.
        [Term]
        Real DetachedRowValue(Embeddings w, Labels y) =>
            Relu(Pairwise(w, Similarity.Dot) - Frozen(Norm(w))).Over(SameLabel(y).ExcludeSelf()).Mean().Sum();

        // Exp, Log, Sqrt and Square of the relation, and a sum of two functions of it (row sum, then mean).
        [Term(Weight = 0.01)]
        Real SmoothFunctions(Embeddings z) =>
            (Log(1.0 + Exp(Pairwise(z, Similarity.Dot) / Scale)) + Sqrt(Square(Pairwise(z, Similarity.Dot)) + 1.0))
                .Over(AllPairs().ExcludeSelf()).Sum().Mean();
    }
}
