using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace LossDsl.Tests.Generator
{
    // Dimensions known at compile time are checked at compile time: LD0015 on the operation whose arguments
    // cannot agree, LD0016 on a bad [Dims]/[Ignore], LD0017 on a non-constant attribute argument, each on the
    // exact syntax. (The helpers are DiagnosticsTests'.)
    public sealed partial class DiagnosticsTests
    {
        [Fact]
        public void LD0015_two_declared_dimensions_that_an_operation_needs_equal()
        {
            var d = Single(@"
[Loss]
public partial class Tables
{
    [Term] public Real Pull([Dims(""N"", ""D"")] Embeddings z, [Dims(""C"", ""E"")] Embeddings proxies) =>
        {|LD0015:Pairwise(z, proxies, Similarity.Cosine)|}.Mean();
}");
            Assert.Equal("Term 'Pull': Pairwise needs the feature dimensions of both operands to be equal, but D (declared by 'z') and E (declared by 'proxies') are different dimensions", Message(d));
        }

        [Fact]
        public void LD0015_logits_and_labels_of_different_batches()
        {
            var d = Single(@"
[Loss]
public partial class Queue
{
    [Term] public Real Ce(Logits z, [Dims(""K"")] Labels queueLabels) => {|LD0015:CrossEntropy(z, queueLabels)|};
}");
            Assert.Equal("Term 'Ce': CrossEntropy needs the sample dimensions of logits and labels to be equal, but N and K (declared by 'queueLabels') are different dimensions", Message(d));
        }

        [Fact]
        public void LD0015_rank_mismatch_of_pairwise_operands()
        {
            var d = Single(@"
[Loss]
public partial class Ranks
{
    [Term] public Real R(Tokens t, Embeddings e) => {|LD0015:Pairwise(t, e, Similarity.Dot)|}.Mean();
}");
            Assert.StartsWith("Term 'R': Pairwise needs two operands of the same rank ≥ 2", Message(d));
        }

        [Fact]
        public void LD0015_literal_sizes_and_columns_out_of_range()
        {
            var d = Single(@"
[Loss]
public partial class Triples
{
    [Term] public Real T([Dims(""E"", ""D"")] Embeddings entities, [Dims(""B"", ""3"")] Indices triples) =>
        entities.Rows({|LD0015:triples.Column(3)|}).Mean();
}");
            Assert.Equal("Term 'T': Column(3) of an index tensor with 3 columns", Message(d));
        }

        [Fact]
        public void LD0015_self_exclusion_across_two_sets()
        {
            var d = Single(@"
[Loss]
public partial class Queue
{
    [Term] public Real Q(Embeddings z, Labels y, [Dims(""K"", ""D_z"")] Embeddings queue, [Dims(""K"")] Labels queueLabels) =>
        Pairwise(z, queue, Similarity.Dot).Over({|LD0015:SameLabel(y, queueLabels).ExcludeSelf()|}).LogSumExp().Mean();
}");
            Assert.Equal("Term 'Q': ExcludeSelf needs rows and columns (the same set, for i ≠ j to mean anything) to be equal, but N and K (declared by 'queue') are different dimensions", Message(d));
        }

        [Fact]
        public void LD0015_unknown_axis_of_a_named_reduction()
        {
            var d = Single(@"
[Loss]
public partial class Maps
{
    [Term] public Real M([Dims(""B"", ""C"", ""H"", ""W"")] Probs p) => {|LD0015:p.Sum(""X"")|}.Mean();
}");
            Assert.Equal("Term 'M': RowSum over axis 'X', but its argument has axes [B, C, H, W]", Message(d));
        }

        [Fact]
        public void A_queue_with_its_own_length_and_a_table_of_classes_are_fine()
        {
            var run = GeneratorHarness.Run(new[] { new TestSource("Loss.cs", GeneratorHarness.Prelude + @"
[Loss]
public partial class Fine
{
    [Term] public Real Q(Embeddings z, Labels y, [Dims(""K"", ""D_z"")] Embeddings queue, [Dims(""K"")] Labels queueLabels) =>
        Pairwise(z, queue, Similarity.Dot).Over(SameLabel(y, queueLabels)).LogSumExp().Mean();

    [Term] public Real P(Embeddings z, Labels y, [Dims(""C"", ""D_z"")] Embeddings proxies) =>
        Pairwise(z, proxies, Similarity.Cosine).Over(ClassOf(y)).Sum().Mean();
}") });
            Assert.Empty(run.Crashes);
            Assert.Empty(run.LossDiagnostics);
            Assert.Empty(run.ErrorsInGeneratedCodeBesidesMissingRuntime);
            Assert.Single(run.Sources);
        }

        [Fact]
        public void LD0016_bad_dims_and_ignore()
        {
            var diagnostics = Check(@"
[Loss]
public partial class Declared
{
    [Term] public Real A([{|LD0016:Dims(""N"", ""2x"")|}] Embeddings a) => a.Mean();
    [Term] public Real B([{|LD0016:Ignore(-100)|}] Logits b) => b.Mean();
    [Term] public Real C([{|LD0016:Dims(""N"")|}] Real c) => c;
}");
            Assert.Equal(3, diagnostics.Count);
            Assert.Contains(diagnostics, d => Message(d) == "Input 'a' of term 'A': '2x' is not a dimension name (a letter or '_' then letters, digits, '_'; or a positive size)");
            Assert.Contains(diagnostics, d => Message(d) == "Input 'b' of term 'B': [Ignore] applies to Labels, not Logits");
            Assert.Contains(diagnostics, d => Message(d) == "Input 'c' of term 'C': a Real input has no dimensions");
        }

        [Fact]
        public void LD0016_one_input_declared_two_ways()
        {
            var d = Single(@"
[Loss]
public partial class TwoWays
{
    [Term] public Real A([Dims(""K"", ""D"")] Embeddings q) => q.Mean();
    [Term] public Real B({|LD0016:Embeddings q|}) => q.Mean();
}");
            Assert.Equal("Input 'q' of term 'B': declared the default dimensions here but [Dims(\"K\", \"D\")] in term 'A'", Message(d));
        }

        [Fact]
        public void LD0017_attribute_arguments_must_be_constants()
        {
            var diagnostics = Check(@"
[Loss]
public partial class Dynamic
{
    [Term] public Real A([Dims(""E"", ""3"")] Indices t, [Dims(""E"", ""D"")] Embeddings e)
    {
        var k = 1;
        return e.Rows(t.Column({|LD0017:k|})).Mean();
    }
}", allowCompilerErrors: true);
            var d = Assert.Single(diagnostics, x => x.Id == "LD0017");
            Assert.Equal("Term 'A': argument 'k' of 'Column' must be a compile-time constant", Message(d));
        }
    }
}
