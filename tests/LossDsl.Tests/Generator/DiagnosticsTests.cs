extern alias LossDslGenerator;

using System.Collections.Generic;
using System.IO;
using LossDslGenerator::LossDsl.Generators;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace LossDsl.Tests.Generator
{
    /// <summary>One test per diagnostic id: a minimal <c>[Loss]</c> source that triggers it, the exact
    /// span it is reported on (marked <c>{|LDxxxx:...|}</c> in the source), and a message that names
    /// the offending construct. Every test also checks that nothing else is reported and nothing is
    /// generated for the broken class.</summary>
    public sealed partial class DiagnosticsTests
    {
        [Fact]
        public void LD0001_class_not_partial()
        {
            var d = Single(@"
[Loss]
public class {|LD0001:Ce|}
{
    [Term] public Real Loss(Logits z, Labels y) => CrossEntropy(z, y);
}");
            Assert.Equal("The [Loss] class 'Ce' must be declared partial so the generator can add Compute, Describe and Trace to it", Message(d));
        }

        [Fact]
        public void LD0002_for_loop()
        {
            var d = Single(@"
[Loss]
public partial class Looping
{
    [Term]
    public Real Loss(Logits z, Labels y)
    {
        {|LD0002:for (var i = 0; i < 3; i++) { }|}
        return CrossEntropy(z, y);
    }
}");
            Assert.Equal("Term 'Loss' uses a 'for' loop (reduce with Over(...).Sum(), RowSum() or Sum(\"axis\") instead), which the loss DSL does not support", Message(d));
        }

        [Fact]
        public void LD0002_const_local_and_statement_after_return_are_reported()
        {
            var diagnostics = Check(@"
[Loss]
public partial class WithLocal
{
    [Term]
    public Real Pull(Embeddings e, Labels y)
    {
        {|LD0002:const double k = 2.0;|}
        var s = Pairwise(Normalize(e), Similarity.Dot);
        return s.Over(SameLabel(y).ExcludeSelf()).MeanOverPairs();
        {|LD0002:var unused = s;|}
    }
}", allowCompilerErrors: true);
            Assert.Equal(2, diagnostics.Count);
            Assert.Contains(diagnostics, d => Message(d) == "Term 'Pull' uses a constant declaration ('k'; make it a [Hyper] or a literal), which the loss DSL does not support");
            Assert.Contains(diagnostics, d => Message(d) == "Term 'Pull' uses a statement after the 'return', which the loss DSL does not support");
        }

        [Fact]
        public void LD0002_call_outside_the_dsl()
        {
            var d = Single(@"
[Loss]
public partial class Clamped
{
    [Hyper] public double T { get; set; } = 2.0;

    [Term] public Real Loss(Logits z, Labels y) => CrossEntropy(z, y) * {|LD0002:System.Math.Round(T)|};
}");
            Assert.Equal("Term 'Loss' uses a call to 'Math.Round' (not a DSL operation), which the loss DSL does not support", Message(d));
        }

        [Fact]
        public void LD0002_inside_a_helper_is_reported_on_the_helper_and_recursion_is_refused()
        {
            var diagnostics = Check(@"
[Loss]
public partial class Helpers
{
    static Real Looping(Logits z, Labels y)
    {
        {|LD0002:for (var i = 0; i < 2; i++) { }|}
        return CrossEntropy(z, y);
    }

    static Real Forever(Logits z, Labels y) => {|LD0002:Forever(z, y)|};

    [Term] public Real A(Logits z, Labels y) => Looping(z, y);
    [Term] public Real B(Logits z, Labels y) => Forever(z, y);
}", allowCompilerErrors: true);
            Assert.Equal(2, diagnostics.Count);
            Assert.Contains(diagnostics, d => Message(d).StartsWith("Term 'A' uses a 'for' loop"));
            Assert.Contains(diagnostics, d => Message(d).StartsWith("Term 'B' uses a call to 'Forever' nested more than 16 helpers deep"));
        }

        [Fact]
        public void LD0002_names_the_DSL_function_to_use_instead()
        {
            var d = Single(@"
[Loss]
public partial class Familiar
{
    static double LogSumExp(double x) => x;

    [Term] public Real Loss(Logits z, Labels y) => CrossEntropy(z, y) * {|LD0002:LogSumExp(2.0)|};
}");
            Assert.Equal("Term 'Loss' uses a call to 'Familiar.LogSumExp' (not a DSL operation; use .RowLogSumExp(), .LogSumExp(\"axis\") or .Over(graph).LogSumExp()), which the loss DSL does not support", Message(d));
        }

        /// <summary>Each unsupported expression is named in words, on its own span.</summary>
        [Theory]
        [InlineData("T > 1 ? CrossEntropy(z, y) : CrossEntropy(z, y)", "a conditional expression ('?:'; select entries with Where(condition, a, b))", true)]
        [InlineData("CrossEntropy(z, y) * (double)T", "a cast", false)]
        [InlineData("CrossEntropy(z, y) * Scale", "the member 'Scale' (not a [Hyper] parameter)", false)]
        [InlineData("CrossEntropy(z, y) * (5 % 2)", "the operator '%'", false)]
        [InlineData("CrossEntropy(z, y) * NotDsl(z, y)", "a call to 'Constructs.NotDsl' (not a DSL operation)", false)]
        [InlineData("Loss(z, y)", "a call to 'Constructs.Loss' (not a DSL operation)", true)]
        [InlineData("CrossEntropy(z, y) * new[] { 1.0 }[0]", "an indexer (read a target entry with Pick(labels), rows with Rows(index), a column with Column(k))", false)]
        public void LD0002_names_each_unsupported_expression(string body, string construct, bool whole)
        {
            // Mark the construct: the whole body, or the operand after '* ' (inside parentheses if any).
            var marked = whole ? "{|LD0002:" + body + "|}" : MarkOperand(body);
            var d = Single($@"
[Loss]
public partial class Constructs
{{
    [Hyper] public double T {{ get; set; }} = 2.0;
    public double Scale {{ get; set; }} = 2.0;
    public double NotDsl(Logits z, Labels y) => 1.0;

    [Term] public Real Loss(Logits z, Labels y) => {marked};
}}");
            Assert.Equal($"Term 'Loss' uses {construct}, which the loss DSL does not support", Message(d));

            static string MarkOperand(string body)
            {
                var operand = body.Substring(body.IndexOf("* ") + 2);
                if (operand.StartsWith("(5")) operand = operand.Substring(1, operand.Length - 2);
                return body.Replace(operand, "{|LD0002:" + operand + "|}");
            }
        }

        [Fact]
        public void LD0003_input_with_two_kinds_names_both_terms_and_kinds()
        {
            var d = Single(@"
[Loss]
public partial class Conflict
{
    [Term] public Real Ce(Logits x, Labels y) => CrossEntropy(x, y);
    [Term] public Real Spread({|LD0003:Embeddings x|}) => Pairwise(x, Distance.Euclidean).Over(AllPairs()).MeanOverPairs();
}");
            Assert.Equal("Input 'x' is Embeddings in term 'Spread' but Logits in term 'Ce'; an input name has one kind across all terms", Message(d));
        }

        [Fact]
        public void LD0004_wrong_kind_is_reported_on_the_argument_and_names_both_kinds()
        {
            var d = Single(@"
[Loss]
public partial class Mismatch
{
    [Term] public Real Ce(Embeddings z, Labels y) => CrossEntropy({|LD0004:z|}, y);
}", allowCompilerErrors: true);
            Assert.Equal("Term 'Ce': 'CrossEntropy' expects CrossEntropy(Logits logits, Labels labels) or CrossEntropy(Logits logits, Labels labels, Vector classWeights), but was given (z : Embeddings, y : Labels)", Message(d));
        }

        [Fact]
        public void LD0004_operator_between_kinds_that_do_not_combine()
        {
            var d = Single(@"
[Loss]
public partial class BadOperator
{
    [Term] public Real Loss(Logits z, Labels y) => {|LD0004:CrossEntropy(z, y) + y|};
}", allowCompilerErrors: true);
            Assert.Equal("Term 'Loss': the operator '+' is not defined between Real and Labels", Message(d));
        }

        [Fact]
        public void LD0005_term_returning_vector()
        {
            var d = Single(@"
[Loss]
public partial class Norms
{
    [Term] public {|LD0005:Vector|} RowNorms(Embeddings e) => Norm(e);
}");
            Assert.Equal("Term 'RowNorms' returns 'LossDsl.Vector', but a term must return LossDsl.Real", Message(d));
        }

        [Theory]
        [InlineData("-1", "-1")]
        [InlineData("-0.5", "-0.5")]
        [InlineData("double.NaN", "NaN")]
        [InlineData("double.PositiveInfinity", "Infinity")]
        public void LD0006_weight_negative_or_not_finite(string weight, string shown)
        {
            var d = Single($@"
[Loss]
public partial class Weighted
{{
    [Term({{|LD0006:Weight = {weight}|}})] public Real Ce(Logits z, Labels y) => CrossEntropy(z, y);
}}");
            Assert.Equal($"Term 'Ce' has weight {shown}; a weight must be a finite number ≥ 0", Message(d));
        }

        [Theory]
        [InlineData("Softmax(z, {|LD0007:0|})", "temperature 0 must be a positive finite number")]
        [InlineData("Softmax(z, {|LD0007:-1.5|})", "temperature -1.5 must be a positive finite number")]
        [InlineData("Softmax(z, {|LD0007:1.0 - 2.0|})", "temperature -1 must be a positive finite number")]
        public void LD0007_constant_temperature_not_positive(string softmax, string expected)
        {
            var d = Single($@"
[Loss]
public partial class Sharpened
{{
    [Term] public Real Kd(Logits z, Probs p) => KL({softmax}, LogSoftmax(z));
}}");
            Assert.Equal("Term 'Kd': " + expected, Message(d));
        }

        [Theory]
        [InlineData("= -2.0;", "-2")]
        [InlineData("= 0;", "0")]
        [InlineData("", "0")] // no initializer: the default is 0
        public void LD0007_hyper_temperature_whose_default_is_not_positive(string initializer, string shown)
        {
            var d = Single($@"
[Loss]
public partial class Distill
{{
    [Hyper] public double T {{ get; set; }} {initializer}

    [Term] public Real Kd(Logits student, [Frozen] Logits teacher) =>
        KL(Softmax(teacher, 4.0), LogSoftmax(student, {{|LD0007:T|}}));
}}");
            Assert.Equal($"Term 'Kd': temperature 'T' (default {shown}) must be a positive finite number", Message(d));
        }

        [Fact]
        public void LD0008_no_terms()
        {
            var d = Single(@"
[Loss]
public partial class {|LD0008:Empty|}
{
    public Real NotATerm(Logits z, Labels y) => CrossEntropy(z, y);
}");
            Assert.Equal("The [Loss] class 'Empty' declares no [Term] method", Message(d));
        }

        [Theory]
        [InlineData("double scale", "CrossEntropy(z, y) * scale", "'scale'", "double")]
        [InlineData("Relation r", "r.Over(AllPairs()).MeanOverPairs() + CrossEntropy(z, y)", "'r'", "LossDsl.Relation")]
        public void LD0009_parameter_that_is_not_an_input_is_reported_once(string parameter, string body, string name, string type)
        {
            var d = Single($@"
[Loss]
public partial class Scaled
{{
    [Term] public Real Ce(Logits z, Labels y, {{|LD0009:{parameter}|}}) => {body};
}}");
            Assert.Equal($"Parameter {name} of term 'Ce' has type '{type}'; a term parameter must be a DSL input kind " +
                         "(Logits, Labels, Embeddings, Probs, LogProbs, Tokens, Indices, Vector, Real)", Message(d));
        }

        [Theory]
        [InlineData("public string {|LD0010:Name|} { get; set; } = \"ce\";", "'Name' has type 'string'")]
        [InlineData("public static double {|LD0010:T|} = 1.0;", "'T' has type 'static double'")]
        [InlineData("public decimal {|LD0010:T|} { get; set; } = 1m;", "'T' has type 'decimal'")]
        public void LD0010_hyper_that_is_not_a_number(string declaration, string expected)
        {
            var d = Single($@"
[Loss]
public partial class Hypers
{{
    [Hyper] {declaration}

    [Term] public Real Ce(Logits z, Labels y) => CrossEntropy(z, y);
}}");
            Assert.Equal($"Hyper-parameter {expected}; use a readable float, double or int", Message(d));
        }

        [Fact]
        public void LD0010_a_bad_hyper_used_in_a_term_is_reported_once()
        {
            var d = Single(@"
[Loss]
public partial class Hypers
{
    [Hyper] public static double {|LD0010:T|} = 2.0;

    [Term] public Real Kd(Logits z, Probs p) => KL(p, LogSoftmax(z, T));
}");
            Assert.Equal("Hyper-parameter 'T' has type 'static double'; use a readable float, double or int", Message(d));
        }

        [Fact]
        public void LD0011_nested_class()
        {
            var d = Single(@"
public partial class Outer
{
    [Loss]
    public partial class {|LD0011:Inner|}
    {
        [Term] public Real Ce(Logits z, Labels y) => CrossEntropy(z, y);
    }
}");
            Assert.Equal("The [Loss] class 'Inner' is nested in another type, which the generator does not support", Message(d));
        }

        [Fact]
        public void LD0011_generic_class()
        {
            var d = Single(@"
[Loss]
public partial class {|LD0011:Generic|}<T>
{
    [Term] public Real Ce(Logits z, Labels y) => CrossEntropy(z, y);
}");
            Assert.Equal("The [Loss] class 'Generic' is generic, which the generator does not support", Message(d));
        }

        [Fact]
        public void LD0011_static_class()
        {
            var d = Single(@"
[Loss]
public static partial class {|LD0011:Static|}
{
    [Term] public static Real Ce(Logits z, Labels y) => CrossEntropy(z, y);
}");
            Assert.Equal("The [Loss] class 'Static' is static, which the generator does not support", Message(d));
        }

        [Fact]
        public void LD0002_expression_nested_too_deeply()
        {
            // Lowering and Roslyn's operation tree recurse per level: a body this deep is refused, not a stack overflow.
            var sum = string.Join(" + ", Enumerable.Repeat("CrossEntropy(z, y)", 250));
            var d = Single($@"
[Loss]
public partial class Deep
{{
    [Term] public Real Ce(Logits z, Labels y) => {{|LD0002:{sum}|}};
}}");
            Assert.Equal("Term 'Ce' uses an expression nested more than 200 levels deep, which the loss DSL does not support", Message(d));
        }

        [Fact]
        public void Unbound_names_are_left_to_the_compiler()
        {
            // No LD diagnostic adds to CS0103, and no partial loss is generated without the broken term.
            var diagnostics = Check(@"
[Loss]
public partial class Typo
{
    [Term] public Real Ce(Logits z, Labels y) => CrossEntropy(q, y) * Unknown;
    [Term] public Real Kd(Logits z, Probs p) => KL(p, LogSoftmax(z));
}", allowCompilerErrors: true);
            Assert.Empty(diagnostics);
        }

        [Fact]
        public void LD0012_duplicate_term_name()
        {
            var d = Single(@"
[Loss]
public partial class Twice
{
    [Term] public Real Ce(Logits z, Labels y) => CrossEntropy(z, y);
    [Term] public Real {|LD0012:Ce|}(Logits z, Labels y, Vector w) => CrossEntropy(z, y) + w.Mean();
}");
            Assert.Equal("Term name 'Ce' is used by more than one [Term] method; term names must be unique", Message(d));
        }

        [Fact]
        public void LD0013_term_input_and_hyper_names_the_generated_code_uses()
        {
            var diagnostics = Check(@"
[Loss]
public partial class Clashes
{
    [Hyper] public double {|LD0013:__scale|} { get; set; } = 1;
    [Term] public Real {|LD0013:Ir|}(Logits z, Labels y) => CrossEntropy(z, y);
    [Term] public Real Ce({|LD0013:Logits v0|}, Labels y) => CrossEntropy(v0, y);
}");
            Assert.Equal("'__scale' is a name the generated code uses (generated members start with __); rename it", Message(diagnostics[0]));
            Assert.Equal("'Ir' is a name the generated code uses (a generated member); rename it", Message(diagnostics[1]));
            Assert.Equal("'v0' is a name the generated code uses (a local of the generated Compute); rename it", Message(diagnostics[2]));
        }

        [Fact]
        public void LD0014_generic_term_and_ref_parameters()
        {
            var diagnostics = Check(@"
[Loss]
public partial class Signatures
{
    [Term] public Real {|LD0014:Generic|}<T>(Logits z, Labels y) => CrossEntropy(z, y);
    [Term] public Real ByRef({|LD0014:ref Logits z|}, Labels y) => CrossEntropy(z, y);
}");
            Assert.Equal("Term 'Generic' is generic; a term is a non-generic method whose parameters are plain inputs", Message(diagnostics[0]));
            Assert.Equal("Term 'ByRef' has a 'ref' parameter 'z'; a term is a non-generic method whose parameters are plain inputs", Message(diagnostics[1]));
        }

        [Fact]
        public void LD0011_record()
        {
            var d = Single(@"
[Loss]
public partial record {|LD0011:Rec|}
{
    [Term] public Real Ce(Logits z, Labels y) => CrossEntropy(z, y);
}");
            Assert.Equal("The [Loss] class 'Rec' is a record, which the generator does not support", Message(d));
        }

        [Fact]
        public void LD0007_is_not_reported_for_a_hyper_whose_default_is_not_a_constant()
        {
            var run = GeneratorHarness.Run(GeneratorHarness.Prelude + @"
[Loss]
public partial class Computed
{
    [Hyper] public double T { get; set; } = System.Math.Sqrt(2);
    [Term] public Real Kd(Logits s, Logits t) => KL(Softmax(t, T), LogSoftmax(s, T));
}");
            Assert.Empty(run.Crashes);
            Assert.Empty(run.LossDiagnostics);
            Assert.Single(run.Sources);
        }

        [Fact]
        public void Every_error_of_every_term_is_reported_in_one_run()
        {
            var diagnostics = Check(@"
[Loss]
public partial class ManyErrors
{
    [Term]
    public Real Looping(Logits z, Labels y)
    {
        {|LD0002:while (true) { }|}
        return CrossEntropy(z, y);
    }

    [Term] public Real Mismatch(Embeddings e, Labels y) => CrossEntropy({|LD0004:e|}, y);

    [Term] public Real Cold(Logits z, Probs p) => KL(Softmax(z, {|LD0007:0|}), LogSoftmax(z));

    [Term({|LD0006:Weight = -2|})] public {|LD0005:Vector|} Negative(Embeddings e) => Norm(e);

    [Term] public Real Both(Logits z, Labels y) => CrossEntropy(z, y) * {|LD0002:System.Math.Round(1.5)|} * {|LD0002:(double)2|};
}", allowCompilerErrors: true);
            Assert.Equal(7, diagnostics.Count);
        }

        [Fact]
        public void A_correct_loss_reports_nothing_and_generates_one_source()
        {
            var run = GeneratorHarness.Run(GeneratorHarness.Prelude + CorrectLoss);
            Assert.Empty(run.Crashes);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Equal("Samples.Correct.g.cs", Assert.Single(run.Sources).HintName);
            // Against the Dsl alone, the generated code may only miss the Runtime and TorchSharp.
            var unexpected = run.OutputErrors.Where(e => !GeneratorRun.MissesRuntime(e)).ToList();
            Assert.True(unexpected.Count == 0, "Unexpected errors:\n" + GeneratorRun.Show(unexpected));
        }

        [Fact]
        public void A_correct_loss_compiles_against_the_runtime()
        {
            var run = GeneratorHarness.Run(new[] { new TestSource("Correct.cs", GeneratorHarness.Prelude + CorrectLoss) }, References.Runtime);
            Assert.Empty(run.Crashes);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.True(!run.OutputErrors.Any(), "The generated code does not compile:\n" + GeneratorRun.Show(run.OutputErrors));
        }

        private const string CorrectLoss = @"
namespace Samples
{
    [Loss]
    public partial class Correct
    {
        [Hyper] public double T { get; set; } = 4.0;
        [Hyper] public float Margin { get; set; } = 0.2f;

        [Term(Weight = 0.5)]
        public Real Ce(Logits student, Labels y) => CrossEntropy(student, y);

        [Term]
        public Real Kd(Logits student, [Frozen] Logits teacher) =>
            KL(Softmax(teacher, T), LogSoftmax(student, T)) * (T * T);

        [Term(Weight = 2)]
        public Real Triplet(Embeddings e, Labels y) =>
            Relu(Pairwise(e, Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y)) + Margin).MeanNonZero();
    }
}";

        [Fact]
        public void LD0018_runtime_not_referenced()
        {
            var d = Single(@"
[Loss]
public partial class {|LD0018:Ce|}
{
    [Term] public Real Loss(Logits z, Labels y) => CrossEntropy(z, y);
}", references: References.DslWithoutRuntime);
            Assert.Equal("The [Loss] class 'Ce' needs the LossDsl runtime (LossDsl.Runtime.dll), which this project does not reference; add the LossDsl package (or a reference to src/Runtime)", Message(d));
        }

        [Fact]
        public void Every_descriptor_has_an_absolute_help_link_to_its_page_in_the_repository()
        {
            var docs = Path.Combine(LossDsl.Tests.Snapshots.RepositoryRoot.Find()!, "docs", "diagnostics");
            foreach (var (id, descriptor) in Diagnostics.ById)
            {
                Assert.Equal(Diagnostics.HelpRoot + id + ".md", descriptor.HelpLinkUri);
                Assert.StartsWith("https://", descriptor.HelpLinkUri);
                Assert.True(File.Exists(Path.Combine(docs, id + ".md")), $"docs/diagnostics/{id}.md is missing");
                Assert.Contains($"[{id}]({id}.md)", File.ReadAllText(Path.Combine(docs, "README.md")));
            }
        }

        // ---- helpers --------------------------------------------------------------------------------

        internal static string Message(Diagnostic d) => d.GetMessage(CultureInfo.InvariantCulture);

        /// <summary>Checks a source with exactly one marked diagnostic and returns it.</summary>
        internal static Diagnostic Single(string marked, bool allowCompilerErrors = false, References references = References.Dsl) =>
            Assert.Single(Check(marked, allowCompilerErrors, references));

        /// <summary>Runs the generator over <see cref="GeneratorHarness.Prelude"/> + the marked source and
        /// asserts: no crash, exactly the marked LossDsl diagnostics (id and span), nothing generated,
        /// and, unless <paramref name="allowCompilerErrors"/>, no C# error in the user's code. Returns the
        /// diagnostics in source order.</summary>
        internal static IReadOnlyList<Diagnostic> Check(string marked, bool allowCompilerErrors = false, References references = References.Dsl)
        {
            var markup = Markup.Parse(GeneratorHarness.Prelude + marked);
            var run = GeneratorHarness.Run(new[] { new TestSource("Loss.cs", markup.Text) }, references);
            Assert.Empty(run.Crashes);

            var actual = run.LossDiagnostics
                .OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, System.StringComparer.Ordinal)
                .ToList();
            var expectedText = string.Join("\n", markup.Expected.Select(e => "  " + e));
            var actualText = string.Join("\n", actual.Select(d =>
                $"  {d.Id} at {Markup.Show(d.Location.GetLineSpan().Span)}: {Message(d)}"));
            Assert.True(
                markup.Expected.Select(e => (e.Id, e.Span)).SequenceEqual(actual.Select(d => (d.Id, d.Location.SourceSpan))),
                $"Expected:\n{expectedText}\nActual:\n{actualText}");
            foreach (var d in actual)
            {
                Assert.Equal("Loss.cs", d.Location.GetLineSpan().Path);
                Assert.Equal(DiagnosticSeverity.Error, d.Severity);
                Assert.Equal("https://github.com/lossdsl/lossdsl/blob/main/docs/diagnostics/" + d.Id + ".md", d.Descriptor.HelpLinkUri);
            }
            Assert.Empty(run.Sources);

            if (!allowCompilerErrors)
            {
                var userErrors = run.OutputErrors.Where(e => e.Location.SourceTree?.FilePath == "Loss.cs").ToList();
                Assert.True(userErrors.Count == 0, "The test source itself does not compile:\n" + GeneratorRun.Show(userErrors));
            }
            return actual;
        }
    }
}
