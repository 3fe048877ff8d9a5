using System.Linq;
using System.Text.RegularExpressions;

namespace LossDsl.Tests.Generator
{
    /// <summary>A subexpression written twice — in one term or in two — is one IR node and one statement
    /// of the generated <c>Compute</c>.</summary>
    public sealed class SharedSubexpressionTests
    {
        private const string Source = @"
namespace Samples
{
    [Loss(Fuse = false)]
    public partial class Shared
    {
        [Hyper] public double Tau { get; set; } = 0.1;

        [Term]
        public Real Pull(Embeddings z, Labels y) =>
            (Pairwise(Normalize(z), Similarity.Dot) / Tau).Over(SameLabel(y).ExcludeSelf()).MeanOverPairs();

        [Term(Weight = 0.5)]
        public Real Push(Embeddings z, Labels y) =>
            (Pairwise(Normalize(z), Similarity.Dot) / Tau).Over(DifferentLabel(y)).LogSumExp().Mean()
            - (Pairwise(Normalize(z), Similarity.Dot) / Tau).Over(SameLabel(y).ExcludeSelf()).MeanOverPairs();
    }
}";

        [Fact]
        public void Each_distinct_subexpression_is_computed_once()
        {
            var run = GeneratorHarness.Run(GeneratorHarness.Prelude + Source);
            Assert.Empty(run.GeneratorDiagnostics);
            var code = Assert.Single(run.Sources).Text;
            var compute = code.Substring(code.IndexOf("public global::LossDsl.Runtime.LossResult Compute(global::TorchSharp"));

            int Count(string call) => Regex.Matches(compute, Regex.Escape("= global::LossDsl.Runtime.Ops." + call + "(")).Count;
            Assert.Equal(1, Count("Normalize"));
            Assert.Equal(1, Count("Pairwise"));
            // The same-label graph without self pairs is read only by the shared OverPairs: it goes there once, as its
            // labels (Ops.SameLabelPairs), and no mask statement is emitted.
            Assert.Equal(0, Count("SameLabel") + Count("ExcludeSelf"));
            Assert.Single(Regex.Matches(compute, Regex.Escape("global::LossDsl.Runtime.Ops.SameLabelPairs(y, y, excludeSelf: true)")));
            // s over same-label pairs (Pull's whole value, reused by Push; only pair means read it, so OverPairs) and s over
            // different labels (Over).
            Assert.Equal(2, Count("Over") + Count("OverPairs"));
            // Pull's masked mean, once for both terms, and the mean of Push's log-sum-exps.
            Assert.Equal(2, Count("Mean"));
        }
    }
}
