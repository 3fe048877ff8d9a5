using System.Collections.Generic;
using System.Linq;
using Xunit.Abstractions;

namespace LossDsl.Tests.Generator
{
    /// <summary>The generator never throws: whatever the user is in the middle of typing, it reports
    /// diagnostics (or nothing) and never fails the build with CS8785 or AD0001.</summary>
    public sealed class RobustnessTests
    {
        private readonly ITestOutputHelper _output;

        public RobustnessTests(ITestOutputHelper output) => _output = output;

        /// <summary>Malformed, partial or merely odd sources, by name. Each is preceded by the DSL usings.</summary>
        public static readonly IReadOnlyDictionary<string, string> Sources = new Dictionary<string, string>
        {
            ["truncated call"] = @"
[Loss] public partial class A { [Term] public Real X(Logits z, Labels y) => CrossEntropy(z, ",
            ["truncated class"] = @"
[Loss] public partial class A { [Term] public Real X(Logits z, Labels y) => CrossEntropy(z, y);",
            ["missing body and semicolon"] = @"
[Loss] public partial class A { [Term] public Real X(Logits z, Labels y) }",
            ["dangling attribute"] = @"
[Loss]",
            ["attribute on nothing in a class"] = @"
[Loss] public partial class A { [Term] }",
            ["empty class"] = @"
[Loss] public partial class A { }",
            ["missing types"] = @"
[Loss] public partial class A { [Term] public Real X(Foo z, Bar y) => Baz(z, y); }",
            ["missing return type"] = @"
[Loss] public partial class A { [Term] public Nope X(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["unknown identifiers"] = @"
[Loss] public partial class A { [Term] public Real X(Logits z, Labels y) => CrossEntropy(q, y) + Frobnicate(z) * Unknown; }",
            ["unknown enum member"] = @"
[Loss] public partial class A { [Term] public Real X(Embeddings e) => Pairwise(e, Similarity.Manhattan).Over(AllPairs()).MeanOverPairs(); }",
            ["enum out of range"] = @"
[Loss] public partial class A { [Term] public Real X(Embeddings e) => Pairwise(e, (Similarity)7).Over(AllPairs()).MeanOverPairs(); }",
            ["enum from a hyper"] = @"
[Loss] public partial class A { [Hyper] public Similarity M { get; set; } public Similarity N = Similarity.Dot;
  [Term] public Real X(Embeddings e) => Pairwise(e, M).Over(AllPairs()).MeanOverPairs() + Pairwise(e, N).Over(AllPairs()).MeanOverPairs(); }",
            ["generic class"] = @"
[Loss] public partial class G<T> where T : class { [Term] public Real X(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["generic term method"] = @"
[Loss] public partial class A { [Term] public Real X<T>(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["nested class"] = @"
public partial class Outer { [Loss] public partial class A { [Term] public Real X(Logits z, Labels y) => CrossEntropy(z, y); } }",
            ["doubly nested generic"] = @"
public partial class O<T> { public partial class M { [Loss] partial class A<U> { } } }",
            ["term without body"] = @"
[Loss] public partial class A { [Term] public Real X(Logits z, Labels y); }",
            ["partial term method"] = @"
[Loss] public partial class A { [Term] public partial Real X(Logits z, Labels y); }
public partial class A { public partial Real X(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["abstract term"] = @"
[Loss] public abstract partial class A { [Term] public abstract Real X(Logits z, Labels y); }",
            ["static term and static class"] = @"
[Loss] public static partial class A { [Term] public static Real X(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["wrong attribute arguments"] = @"
[Loss(""fast"", Fuse = 3)] public partial class A {
  [Hyper(5)] public double T { get; set; } = 1;
  [Term(2, Weight = ""heavy"")] public Real X(Logits z, Labels y) => CrossEntropy(z, y);
  [Term(Weight = 1, Weight = 2)] public Real Y(Logits z, Labels y) => CrossEntropy(z, y);
  [Term(Nope = 1)] public Real W(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["attributes in odd places"] = @"
[Loss] public partial class A {
  [Loss] [Term] public Real X([Hyper] [Term] Logits z, [Frozen] Labels y) => CrossEntropy(z, y);
  [Frozen] public double F;
  [Term] public double P { get; set; } }",
            ["weight from a constant"] = @"
[Loss] public partial class A { const double W = -3; [Term(Weight = W * 2)] public Real X(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["recursion"] = @"
[Loss] public partial class A {
  [Term] public Real X(Logits z, Labels y) => X(z, y);
  [Term] public Real Y(Logits z, Labels y) => Z(z, y) * 2.0;
  [Term] public Real Z(Logits z, Labels y) => Y(z, y) + CrossEntropy(z, y); }",
            ["lambdas and local functions"] = @"
[Loss] public partial class A {
  [Term] public Real X(Logits z, Labels y) => ((System.Func<Real>)(() => CrossEntropy(z, y)))();
  [Term] public Real Y(Logits z, Labels y) => Softmax(z, ((System.Func<double>)(() => 2.0))()) is var p ? CrossEntropy(z, y) : CrossEntropy(z, y);
  [Term] public Real W(Logits z, Labels y) { Real F() => CrossEntropy(z, y); return F(); } }",
            ["statements"] = @"
[Loss] public partial class A {
  [Term] public Real X(Logits z, Labels y) { if (z == null) throw new System.Exception(); foreach (var c in ""ab"") { } do { } while (false); return CrossEntropy(z, y); return CrossEntropy(z, y); }
  [Term] public Real Y(Logits z, Labels y) { return; }
  [Term] public Real W(Logits z, Labels y) { }
  [Term] public System.Collections.Generic.IEnumerable<Real> V(Logits z, Labels y) { yield return CrossEntropy(z, y); } }",
            ["every kind of expression"] = @"
[Loss] public partial class A {
  [Hyper] public double T { get; set; } = 2;
  [Term] public Real X1(Logits z, Labels y) => CrossEntropy(z, y) * checked(T * 2);
  [Term] public Real X2(Logits z, Labels y) => CrossEntropy(z, y) * default(double);
  [Term] public Real X3(Logits z, Labels y) => null!;
  [Term] public Real X4(Logits z, Labels y) => CrossEntropy(z!, y!) * nameof(z).Length;
  [Term] public Real X5(Logits z, Labels y) => CrossEntropy(z, y) * $""{T}"".Length;
  [Term] public Real X6(Logits z, Labels y) => T switch { > 1 => CrossEntropy(z, y), _ => CrossEntropy(z, y) };
  [Term] public Real X7(Logits z, Labels y) => (CrossEntropy(z, y), 1).Item1;
  [Term] public Real X8(Logits z, Labels y) => CrossEntropy(z, y) * (T = 3);
  [Term] public Real X9(Logits z, Labels y) => CrossEntropy(z, y) * (z is null ? 1 : 2) * (T++) * sizeof(int) * typeof(A).Name.Length;
  [Term] public Real Xa(Logits z, Labels y) => CrossEntropy(z, y) * (T > 1 && T < 3 ? 1.0 : 2.0) * (1 << 2) * ~3 * (double)(object)T;
  [Term] public Real Xb(Logits z, Labels y) => CrossEntropy(z, y) * -T * +T * (1 / 0) * (1.0 / 0.0) * (T - T);
  [Term] public Real Xc(Logits z, Labels y) => z?.Expr == null ? CrossEntropy(z, y) : CrossEntropy(z, y) ?? CrossEntropy(z, y);
  [Term] public Real Xd(Logits z, Labels y) => new Real(null);
  [Term] public Real Xe(Logits z, Labels y) => CrossEntropy(z, y) * stackalloc int[1][0];
  [Term] public Real Xf(Logits z, Labels y) => CrossEntropy(z, y) * await System.Threading.Tasks.Task.FromResult(1.0);
  [Term] public Real Xg(Logits z, Labels y) => CrossEntropy(z, y) * Dsl.Softmax(z) * LossDsl.Dsl.CrossEntropy(logits: z, labels: y) * CrossEntropy(labels: y, logits: z); }",
            ["DSL values that are not inputs"] = @"
[Loss] public partial class A {
  [Term] public Real X(Relation r, Graph g, Masked m, Triplets t, double d, string s, Logits[] many) => r.Over(g).MeanOverPairs() + m.SumOverPairs() + t.Mean();
  [Term] public Real Y(ref Logits z, out Labels y, in Embeddings e, params Vector[] v) { y = null!; return CrossEntropy(z, y); }
  [Term] public Real W(Logits z = null!, Labels? y = null) => CrossEntropy(z, y!); }",
            ["odd hypers"] = @"
[Loss] public partial class A {
  [Hyper] public double T { get; set; } = System.Math.Sqrt(2);
  [Hyper] public double U { get; set; } = U;
  [Hyper] public int K = 1 / 0;
  [Hyper] public bool B { get; set; }
  [Hyper] public double this[int i] => i;
  [Hyper] public event System.Action? E;
  [Hyper] public double V, W = 2, X = -1;
  [Hyper] public double Get => 1.0;
  [Term] public Real Kd(Logits z, Probs p) => KL(p, LogSoftmax(z, T)) + KL(p, LogSoftmax(z, U)) + KL(p, LogSoftmax(z, K)) + KL(p, LogSoftmax(z, V)) + KL(p, LogSoftmax(z, W)) + KL(p, LogSoftmax(z, X)) + KL(p, LogSoftmax(z, Get)); }",
            ["struct with [Loss]"] = @"
[Loss] public partial struct S { [Term] public Real X(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["record with [Loss]"] = @"
[Loss] public partial record R { [Term] public Real X(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["interface and enum with [Loss]"] = @"
[Loss] public partial interface I { [Term] Real X(Logits z, Labels y); }
[Loss] public enum E { A }",
            ["[Loss] on a method"] = @"
public partial class A { [Loss] [Term] public Real X(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["[Loss] twice on one class"] = @"
[Loss] public partial class A { [Term] public Real X(Logits z, Labels y) => CrossEntropy(z, y); }
[Loss] public partial class A { [Term] public Real Y(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["same name twice, not partial"] = @"
[Loss] public class A { [Term] public Real X(Logits z, Labels y) => CrossEntropy(z, y); }
[Loss] public class A { [Term] public Real Y(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["names that clash with generated members"] = @"
[Loss] public partial class A {
  [Term] public Real Ir(Logits z, Labels y) => CrossEntropy(z, y);
  [Term] public Real Compute(Logits z, Labels y) => CrossEntropy(z, y);
  [Term] public Real Describe(Logits @class, Labels @event) => CrossEntropy(@class, @event);
  [Term] public Real Name(Logits v0, Labels __shapes) => CrossEntropy(v0, __shapes); }",
            ["inheritance"] = @"
[Loss] public partial class Base { [Term] public Real X(Logits z, Labels y) => CrossEntropy(z, y); }
[Loss] public partial class Derived : Base { [Term] public Real Y(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["global namespace and file-scoped namespace"] = @"
namespace Deep.Space;
[Loss] public partial class A { [Term] public Real X(Logits z, Labels y) => CrossEntropy(z, y); }",
            ["preprocessor"] = @"
#if NEVER
[Loss]
#endif
public partial class A {
#error broken
  [Term] public Real X(Logits z, Labels y) =>
#if NEVER
    Softmax(z);
#else
    CrossEntropy(z, y);
#endif
}",
            ["unicode and keywords"] = @"
[Loss] public partial class Ω { [Hyper] public double τ { get; set; } = 0.5; [Term] public Real Λ(Logits ζ, Labels @int) => KL(Softmax(ζ, τ), LogSoftmax(ζ, τ)) + CrossEntropy(ζ, @int); }",
            ["operators on every kind"] = @"
[Loss] public partial class A {
  [Term] public Real X(Logits z, Labels y, Embeddings e, Vector v) =>
    (Pairwise(e, Distance.Euclidean) - v + v * Pairwise(e, Distance.SqEuclidean) / v).Over(SameLabel(y)).Max().Mean()
    + (-(z / 2.0) + 1.0 - z * z).Over(AllPairs()).MeanOverPairs()
    + (y + y) + (e - z) + Softmax(z) * LogSoftmax(z); }",
            ["huge sum"] = "[Loss] public partial class A { [Term] public Real X(Logits z, Labels y) => " +
                           string.Join(" + ", Enumerable.Repeat("CrossEntropy(z, y)", 2000)) + "; }",
            ["huge distinct sum"] = "[Loss] public partial class A { [Term] public Real X(Logits z, Labels y) => " +
                           string.Join(" + ", Enumerable.Range(0, 300).Select(i => $"CrossEntropy(z * {i}.0, y)")) + "; }",
            ["deep nesting"] = "[Loss] public partial class A { [Term] public Real X(Embeddings e) => " +
                           string.Concat(Enumerable.Repeat("Exp(", 400)) + "e" + new string(')', 400) + ".Sum().Mean(); }",
            ["deep parentheses"] = "[Loss] public partial class A { [Term] public Real X(Logits z, Labels y) => " +
                           new string('(', 1000) + "CrossEntropy(z, y)" + new string(')', 1000) + "; }",
            ["many terms"] = "[Loss] public partial class A { " +
                           string.Concat(Enumerable.Range(0, 300).Select(i => $"[Term(Weight = {i})] public Real T{i}(Logits z{i % 7}, Labels y) => CrossEntropy(z{i % 7}, y); ")) + "}",
        };

        public static IEnumerable<object[]> Names => Sources.Keys.Select(k => new object[] { k });

        /// <summary>Sources whose generated code does not compile yet (the generator emits it without a
        /// diagnostic); each is a known generator bug, reported to the generator's owner.</summary>
        public static readonly IReadOnlyDictionary<string, string> KnownIssues = new Dictionary<string, string>
        {
            // Empty: name clashes (LD0013) and generic terms (LD0014) became diagnostics.
        };

        /// <summary>No crash on any source; and whenever the generator emits code without reporting an
        /// error, that code compiles (the runtime aside: these compilations reference only LossDsl.Dsl).</summary>
        [Theory]
        [MemberData(nameof(Names))]
        public void Never_throws_and_what_it_emits_compiles(string name)
        {
            var run = GeneratorHarness.Run(GeneratorHarness.Prelude + Sources[name]);
            _output.WriteLine(name + ":\n" + GeneratorRun.Show(run.GeneratorDiagnostics));
            _output.WriteLine("generated: " + string.Join(", ", run.Sources.Select(s => s.HintName)));
            Assert.Empty(run.Crashes);

            if (run.Sources.IsEmpty || KnownIssues.ContainsKey(name)) return;
            var errors = run.ErrorsInGeneratedCodeBesidesMissingRuntime.ToList();
            Assert.True(errors.Count == 0, "Errors in generated code:\n" + GeneratorRun.Show(errors));
        }

        [Fact]
        public void Known_issues_still_fail_to_compile()
        {
            // When a known issue is fixed, this fails: move the source out of KnownIssues.
            foreach (var name in KnownIssues.Keys)
            {
                var run = GeneratorHarness.Run(GeneratorHarness.Prelude + Sources[name]);
                Assert.True(run.LossDiagnostics.IsEmpty && run.ErrorsInGeneratedCodeBesidesMissingRuntime.Any(),
                    $"'{name}' no longer shows its known issue ({KnownIssues[name]}): remove it from KnownIssues.");
            }
        }

        [Fact]
        public void Never_throws_on_all_sources_at_once()
        {
            var run = GeneratorHarness.Run(Sources.Values.Select(s => GeneratorHarness.Prelude + s).ToArray());
            Assert.Empty(run.Crashes);
        }
    }
}
