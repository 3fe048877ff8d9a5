using static LossDsl.Dsl;

namespace LossDsl.Tests.Reliability
{
    /// <summary>One computed value read through two kind conversions (<c>AsProbs</c>, <c>AsLogits</c>): two IR nodes, one
    /// run-time object (<c>Ops.As</c> returns its argument). The generated code must not release it through one view
    /// while the other is still read (found by review: it did, and the last read threw on a disposed tensor).</summary>
    [Loss]
    public partial class SiblingAliases
    {
        [Term]
        Real A(Logits s, Labels y)
        {
            var c = s * 2;
            return c.AsProbs().Mean() + CrossEntropy(c.AsLogits(), y) + c.AsProbs().Sum();
        }
    }

    /// <summary>As <see cref="SiblingAliases"/>, the views read by three terms.</summary>
    [Loss]
    public partial class SiblingAliasTerms
    {
        [Term] Real P(Logits s) => (s * 2).AsProbs().Mean();
        [Term] Real Q(Logits s, Labels y) => CrossEntropy((s * 2).AsLogits(), y);
        [Term] Real R(Logits s) => (s * 2).AsProbs().Sum();
    }
}
