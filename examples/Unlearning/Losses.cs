using LossDsl;
using static LossDsl.Dsl;

namespace LossDsl.Examples.Unlearning;

/// <summary>The classifier's training loss.</summary>
[Loss]
public partial class Classify
{
    [Term]
    static Real Ce(Logits logits, Labels y) => CrossEntropy(logits, y);
}

/// <summary>Gradient ascent on the forget set: the negated cross-entropy, so descending it raises the loss on the
/// digits to forget (the simplest unlearning baseline; nothing holds the other digits in place).</summary>
[Loss]
public partial class GradientAscent
{
    [Term]
    static Real Ascent(Logits forgetLogits, Labels forgetY) => CrossEntropy(forgetLogits, forgetY) * -1;
}

/// <summary>NPO on the forget set (Zhang et al. 2024, as the zoo's <c>Npo</c>) plus cross-entropy on a retain batch:
/// <c>policy</c> and <c>reference</c> are the log-probabilities of each forget digit's label under the model being
/// trained and under the frozen original.</summary>
[Loss]
public partial class NpoWithRetain
{
    [Hyper] public double Beta { get; set; } = 0.5;

    [Term(Weight = 1.0)]
    Real Forget(Vector policy, [Frozen] Vector reference) =>
        -LogSigmoid(Beta * (reference - policy)).Mean() * 2 / Beta;

    [Term(Weight = 1.0)]
    static Real Retain(Logits retainLogits, Labels retainY) => CrossEntropy(retainLogits, retainY);
}
