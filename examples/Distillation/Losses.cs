using LossDsl;
using static LossDsl.Dsl;

namespace LossDsl.Examples.Distillation;

/// <summary>The student trained alone: cross-entropy on the labels.</summary>
[Loss]
public partial class StudentAlone
{
    [Term]
    static Real Hard(Logits student, Labels y) => CrossEntropy(student, y);
}

/// <summary>Cross-entropy plus Hinton's soft-target distillation from a frozen teacher.</summary>
[Loss]
public partial class StudentKd
{
    [Hyper] public double T { get; set; } = 4;

    [Term(Weight = 1.0)]
    static Real Hard(Logits student, Labels y) => CrossEntropy(student, y);

    [Term(Weight = 0.9)]
    Real Soft(Logits student, [Frozen] Logits teacher) =>
        KL(Softmax(teacher, T), LogSoftmax(student, T)) * (T * T);
}

/// <summary>Cross-entropy, Hinton KD and the RKD distance term: the student's hidden features keep the
/// teacher's pairwise-distance structure (the widths differ: 16 vs 128).</summary>
[Loss]
public partial class StudentKdRkd
{
    [Hyper] public double T { get; set; } = 4;

    [Term(Weight = 1.0)]
    static Real Hard(Logits student, Labels y) => CrossEntropy(student, y);

    [Term(Weight = 0.9)]
    Real Soft(Logits student, [Frozen] Logits teacher) =>
        KL(Softmax(teacher, T), LogSoftmax(student, T)) * (T * T);

    [Term(Weight = 25)]
    static Real Rkd(Embeddings studentFeatures, [Frozen] Embeddings teacherFeatures) =>
        SmoothL1(Pairwise(studentFeatures, Distance.Euclidean).MeanNormalized(),
                 Pairwise(teacherFeatures, Distance.Euclidean).MeanNormalized());
}

/// <summary>CE, KD and RKD distance, plus PKT (probabilistic knowledge transfer, Passalis &amp; Tefas 2018, as the
/// zoo's <c>Pkt</c>): the student's cosine-similarity distribution over the batch follows the teacher's. PKT is a
/// mean over the N×N pairs of a batch, so its values are small; RepDistiller weights it 30,000.</summary>
[Loss]
public partial class StudentKdRkdPkt
{
    [Hyper] public double T { get; set; } = 4;
    [Hyper] public double Eps { get; set; } = 1e-7;

    [Term(Weight = 1.0)]
    static Real Hard(Logits student, Labels y) => CrossEntropy(student, y);

    [Term(Weight = 0.9)]
    Real Soft(Logits student, [Frozen] Logits teacher) =>
        KL(Softmax(teacher, T), LogSoftmax(student, T)) * (T * T);

    [Term(Weight = 25)]
    static Real Rkd(Embeddings studentFeatures, [Frozen] Embeddings teacherFeatures) =>
        SmoothL1(Pairwise(studentFeatures, Distance.Euclidean).MeanNormalized(),
                 Pairwise(teacherFeatures, Distance.Euclidean).MeanNormalized());

    [Term(Weight = 30000)]
    Real Pkt(Embeddings studentFeatures, [Frozen] Embeddings teacherFeatures)
    {
        var modelSimilarity = (Pairwise(studentFeatures / (Norm(studentFeatures) + Eps), Similarity.Dot) + 1) / 2;
        var targetSimilarity = (Pairwise(teacherFeatures / (Norm(teacherFeatures) + Eps), Similarity.Dot) + 1) / 2;
        var model = modelSimilarity / modelSimilarity.RowSum();
        var target = targetSimilarity / targetSimilarity.RowSum();
        return (target * Log((target + Eps) / (model + Eps))).Mean();
    }
}
