using System;
using static LossDsl.Dsl;

namespace LossDsl.Tests.Equality
{
    // Losses that use the operations no zoo loss does, so that every operation of the catalogue runs through the
    // repository-wide checks (Trace() == Ir, generated Compute == interpreter, values and gradients). They are
    // not meant to be useful losses.

    /// <summary>Entry-wise functions and comparisons: min, log(1 + x), tanh, &lt;, &gt;, ≥, |, counts, any.</summary>
    [Loss]
    public partial class VocabularyElementwise
    {
        [Hyper] public double Floor { get; set; } = 0.25;

        [Term]
        Real Shaped(Vector a, Vector b)
        {
            var low = Minimum(a, b) + Log1p(Square(a)) + Tanh(b);
            var outside = (a < -Floor) | (a > Floor);
            var picked = Where(outside, low, a * 0.5);
            var share = (b >= Floor).Count() / Maximum(a.Count(), 1);
            return picked.SumWhere(a >= b) + share + Where((a > 1.5).Any(), a.Mean(), b.Mean());
        }
    }

    /// <summary>Per-sample criteria, a row-wise inner product, mean squared error, the other-view graph and semi-hard
    /// triplets.</summary>
    [Loss]
    public partial class VocabularyCriteria
    {
        [Hyper] public double Margin { get; set; } = 0.3;

        [Term]
        Real PerSample(Logits student, Labels y, Logits teacher) =>
            (CrossEntropyPerSample(student, y) + KLPerSample(Softmax(teacher), LogSoftmax(student))).Mean();

        [Term]
        Real Rows(Embeddings a, Embeddings b) => Dot(a, b).Mean() + Mse(a, b);

        [Term]
        Real Views(Embeddings z, Labels y) =>
            Pairwise(z, Similarity.Cosine).Over(OtherView()).Mean().Mean()
            + Relu(Pairwise(z, Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y)).MineSemiHard(Margin) + Margin).Mean();
    }
}

namespace LossDsl.Tests.Equality
{
    /// <summary>Element-wise formulas that only pair reductions or row sums and means read through a graph (emitted as
    /// <c>Ops.OverPairs</c>):
    /// over the other view (one pair per row: evaluated at those pairs only) and over every pair (dense), reading
    /// relations at pairs, row vectors (<c>v_i</c>) and column vectors (<c>v_j</c>), implicitly aligned or explicitly
    /// placed (<c>v.PerRow() + v.PerColumn()</c>: the same vector read both ways).</summary>
    [Loss]
    public partial class VocabularyPairFormula
    {
        [Hyper] public double Margin { get; set; } = 0.2;

        [Term]
        Real Views(Embeddings z, Labels y) =>
            Softplus(Norm(z).PerRow() + Norm(z).PerColumn() * Margin - Pairwise(z, Similarity.Dot)).Over(OtherView()).MeanOverPairs()
            + (Norm(z) - Pairwise(z, Similarity.Dot) * 0.5).Over(OtherView()).MeanOverPairs()
            + (Exp(Pairwise(z, Similarity.Dot) * 0.1) * Norm(z)).Over(OtherView()).Mean().Mean()
            + Sigmoid(Pairwise(z, Similarity.Dot)).Over(SameLabel(y).ExcludeSelf()).Sum().Mean();

        [Term]
        Real Queue(Embeddings z, [Dims("K", "D_z")] Embeddings queue) =>
            Relu(Pairwise(z, queue, Distance.Euclidean) - Norm(z) + Norm(queue) * Margin).Over(AllPairs()).MeanNonZeroOverPairs()
            + Square(Pairwise(z, queue, Similarity.Dot) - Norm(queue)).Over(AllPairs()).SumOverPairs();
    }
}
