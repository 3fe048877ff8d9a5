using LossDsl;
using static LossDsl.Dsl;

namespace LossDslApp;

/// <summary>Cross-entropy on the logits plus a supervised-contrastive pull on the features: rows of one
/// class move together, the others apart. The generator adds Compute, Describe and the rest.</summary>
[Loss]
public partial class ClassifierLoss
{
    [Hyper] public double Tau { get; set; } = 0.2;

    [Term(Weight = 1.0)]
    static Real Ce(Logits logits, Labels y) => CrossEntropy(logits, y);

    [Term(Weight = 0.5)]
    Real Contrast(Embeddings features, Labels y) =>
        ((Pairwise(Normalize(features), Similarity.Dot) / Tau).Over(AllPairs().ExcludeSelf()).LogSumExp()
         - Pairwise(Normalize(features), Similarity.Dot) / Tau)
        .Over(SameLabel(y).ExcludeSelf())
        .MeanOverPairs();
}
