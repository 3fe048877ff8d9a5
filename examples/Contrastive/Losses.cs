using LossDsl;
using static LossDsl.Dsl;

namespace LossDsl.Examples.Contrastive;

/// <summary>The supervised baseline: cross-entropy of a linear head on the embedding (the SupCon and NT-Xent runs
/// use the zoo's <c>SupCon</c> and <c>NtXent</c>).</summary>
[Loss]
public partial class CrossEntropyHead
{
    [Term]
    static Real Ce(Logits logits, Labels y) => CrossEntropy(logits, y);
}
