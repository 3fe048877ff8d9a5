using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime;
using LossDsl.Tests.Equality;
using LossDsl.Tests.Generator;
using TorchSharp;

namespace LossDsl.Tests.Reliability;

/// <summary>Issue 9, item 8: whatever compiles as a <c>[Loss]</c> either generates code that compiles or gets an LD
/// diagnostic on the offending syntax. One test per kind: identifiers the generator writes (verbatim keywords, names
/// the generated code also uses), modifiers it must reject (file-local), kind rules the runtime cannot honour
/// (Triplets given to a criterion), members that clash with generated ones.</summary>
public sealed class GeneratedCodeTests
{
    /// <summary>Runs the generator with the runtime referenced, asserts no LD diagnostic, no crash and no error
    /// anywhere, loads the assembly and returns the loss class named <paramref name="fullName"/>.</summary>
    private static ILoss Compile(string source, string fullName)
    {
        var run = GeneratorHarness.Run(new[] { new TestSource("Loss.cs", GeneratorHarness.Prelude + source) }, References.Runtime);
        Assert.Empty(run.Crashes);
        Assert.True(run.LossDiagnostics.IsEmpty, GeneratorRun.Show(run.LossDiagnostics));
        var errors = run.OutputErrors.ToList();
        Assert.True(errors.Count == 0, "Errors:\n" + GeneratorRun.Show(errors));
        var type = run.Load().GetType(fullName) ?? throw new InvalidOperationException($"No type {fullName}.");
        return (ILoss)Activator.CreateInstance(type)!;
    }

    /// <summary>The generated Compute equals the interpreter running the traced IR (values, 1e-12).</summary>
    private static void RunsAndMatchesTheInterpreter(ILoss loss, long batch = 6)
    {
        using var scope = torch.NewDisposeScope();
        var inputs = RandomInputs.For(loss.Trace(), seed: 3, batch: batch);
        loss.MinimumFusedPairs = 0; // fused regions run their kernels even at this size
        using var generated = loss.Compute(inputs);
        using var interpreted = IrInterpreter.Evaluate(loss.Trace(), inputs, lossName: loss.Name);
        var a = generated.Total.item<double>();
        var b = interpreted.Total.item<double>();
        Assert.True(double.IsFinite(a), $"{loss.Name} = {a}");
        Assert.True(Math.Abs(a - b) <= 1e-12 * Math.Max(1, Math.Abs(b)), $"generated {a} vs interpreted {b}");
    }

    [Fact]
    public void Verbatim_keyword_identifiers_keep_their_at_sign_everywhere_the_generator_writes_them()
    {
        // The issue's case (a [Hyper] named @double lost its '@': CS1525 ×9) and every other place a user's name is
        // written: the namespace, the class, a term, a temperature, inputs.
        var loss = Compile(@"
namespace @namespace.@if
{
    [Loss]
    public partial class @class
    {
        [Hyper] public double @double { get; set; } = 2;
        [Hyper, Temperature] public double @fixed { get; set; } = 0.5;

        [Term] Real @event(Logits @int, Labels @params) => CrossEntropy(@int, @params) * @double;

        [Term(Weight = 0.5)] Real @return(Logits @int, [Frozen] Logits @in) =>
            KL(Softmax(@in, @fixed), LogSoftmax(@int, @fixed));
    }
}", "namespace.if.class");
        Assert.Equal("class", loss.Name);
        Assert.Equal(new[] { "double", "fixed" }, loss.HyperValues.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Contains("double = 2", loss.Describe());
        Assert.Equal(new[] { "int", "params", "in" }, loss.Inputs.Select(i => i.Name));
        RunsAndMatchesTheInterpreter(loss);

        // The temperature's run-time check names the hyper-parameter without its '@'.
        using var scope = torch.NewDisposeScope();
        var inputs = RandomInputs.For(loss.Trace(), seed: 1, batch: 4);
        loss.GetType().GetProperty("fixed")!.SetValue(loss, 0.0);
        var error = Assert.Throws<LossHyperException>(() => loss.Compute(inputs));
        Assert.Equal("class: hyper-parameter 'fixed' is a temperature and must be a positive finite number, got 0.", error.Message);
    }

    [Fact]
    public void Terms_and_inputs_named_like_the_locals_of_generated_methods_compile()
    {
        // Trace() and Describe() used locals 'b' and 'text'; Compute read UseFusedKernels unqualified.
        var loss = Compile(@"
namespace Locals
{
    [Loss]
    public partial class Shadowing
    {
        [Hyper] public double text { get; set; } = 1;
        [Term] Real b(Embeddings UseFusedKernels, Labels NonFiniteInputs) =>
            (Pairwise(Normalize(UseFusedKernels), Similarity.Dot) / 0.5).Over(DifferentLabel(NonFiniteInputs)).LogSumExp().Mean() * text;
    }
}", "Locals.Shadowing");
        RunsAndMatchesTheInterpreter(loss);
    }

    [Fact]
    public void Hyper_parameters_named_like_keywords_or_formula_locals_compile_inside_fused_regions()
    {
        // A fused region's numbers are fields of its formula struct, named after the hyper-parameters: '@double' lost its
        // '@' there (CS1525), and 't0' would be shadowed by the formula's first local (a wrong value, silently).
        var loss = Compile(@"
namespace Fields
{
    [Loss]
    public partial class Keywords
    {
        [Hyper] public double @double { get; set; } = 1.5;
        [Hyper] public double t0 { get; set; } = 0.25;
        [Term] Real A(Embeddings w, Labels y) =>
            Softplus(Softplus(Pairwise(w, Distance.Euclidean) * @double) - t0).Over(DifferentLabel(y)).MeanOverPairs();
    }
}", "Fields.Keywords");
        Assert.Single(loss.FusedRegions);
        RunsAndMatchesTheInterpreter(loss);
    }

    [Fact]
    public void A_file_local_class_gets_LD0011_instead_of_CS0103_in_the_generated_file()
    {
        var d = DiagnosticsTests.Single(@"
[Loss]
file partial class {|LD0011:Local|}
{
    [Term] public Real Ce(Logits z, Labels y) => CrossEntropy(z, y);
}");
        Assert.Equal("The [Loss] class 'Local' is file-local ('file'), which the generator does not support", DiagnosticsTests.Message(d));
    }

    [Theory]
    [InlineData("{|LD0004:SmoothL1(t, t)|}", "SmoothL1")]
    [InlineData("{|LD0004:SmoothL1(t, t, 0.5)|}", "SmoothL1")]
    [InlineData("{|LD0004:Mse(t, t)|}", "Mse")]
    [InlineData("{|LD0004:Normalize(t)|}.Mean()", "Normalize")]
    [InlineData("{|LD0004:t.RowSum()|}.Mean()", "RowSum")]
    [InlineData("{|LD0004:t.Transposed()|}.Mean()", "Transpose")]
    [InlineData("{|LD0004:t.AsEmbeddings()|}.Sum()", "As")]
    public void Triplets_given_to_an_operation_with_no_runtime_form_for_them_get_LD0004(string use, string op)
    {
        // Each compiles as C# (the DSL's generic methods take any float kind) and, before, failed with CS1503 inside
        // the generated file.
        var d = DiagnosticsTests.Single($@"
[Loss]
public partial class TripletCriterion
{{
    [Term] public Real Bad(Embeddings z, Labels y)
    {{
        var t = Pairwise(z, Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y));
        return {use};
    }}
}}", references: References.Runtime);
        var message = DiagnosticsTests.Message(d);
        Assert.StartsWith($"Term 'Bad': '{op}' has no run-time form for (", message);
        Assert.Contains("Triplets", message);
    }

    [Fact]
    public void Triplets_reduced_or_combined_element_wise_still_compile_and_run()
    {
        var loss = Compile(@"
namespace Kinds
{
    [Loss]
    public partial class TripletsFine
    {
        [Term] Real Ok(Embeddings z, Labels y)
        {
            var t = Pairwise(Normalize(z), Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y));
            return Relu(Exp(t) * 2 - t + 0.1).MeanNonZero() + Square(t).Sum() + SmoothL1(t.Mean(), t.Sum());
        }
    }
}", "Kinds.TripletsFine");
        RunsAndMatchesTheInterpreter(loss, batch: 7);
    }

    [Fact]
    public void Members_and_a_class_named_like_generated_members_get_LD0013()
    {
        DiagnosticsTests.Check(@"
[Loss]
public partial class Clashes
{
    public string {|LD0013:Describe|}(int detail) => """";
    public bool {|LD0013:NonFiniteInputs|} { get; set; }
    private int {|LD0013:__count|};
    public class {|LD0013:Inputs|} { }
    [Term] public Real Ce(Logits z, Labels y) => CrossEntropy(z, y);
}");
        var d = DiagnosticsTests.Single(@"
[Loss]
public partial class {|LD0013:Compute|}
{
    [Term] public Real Ce(Logits z, Labels y) => CrossEntropy(z, y);
}");
        Assert.Contains("'Compute' is a name the generated code uses", DiagnosticsTests.Message(d));
    }

    [Fact]
    public void A_hyper_parameter_without_a_getter_gets_LD0010()
    {
        var d = DiagnosticsTests.Single(@"
[Loss]
public partial class WriteOnly
{
    private double _t = 1;
    [Hyper] public double {|LD0010:T|} { set => _t = value; }
    [Term] public Real Ce(Logits z, Labels y) => CrossEntropy(z, y);
}", allowCompilerErrors: true);
        Assert.Equal("Hyper-parameter 'T' has type 'double without a getter'; use a readable float, double or int", DiagnosticsTests.Message(d));
    }

    [Fact]
    public void An_explicit_interface_term_gets_LD0014()
    {
        var d = DiagnosticsTests.Single(@"
public interface IHasTerm { Real Ce(Logits z, Labels y); }
[Loss]
public partial class Explicit : IHasTerm
{
    [Term] Real IHasTerm.{|LD0014:Ce|}(Logits z, Labels y) => CrossEntropy(z, y);
}");
        Assert.Contains("is an explicit interface implementation", DiagnosticsTests.Message(d));
    }

    [Theory]
    [InlineData("double.NaN", "NaN")]
    [InlineData("double.PositiveInfinity", "Infinity")]
    [InlineData("1.0 / 0.0", "Infinity")]
    [InlineData("-0.0", "-0")]
    public void LD0007_refuses_NaN_and_infinite_constant_temperatures(string value, string shown)
    {
        var d = DiagnosticsTests.Single($@"
[Loss]
public partial class Hot
{{
    [Term] public Real Kd(Logits z, Probs p) => KL(p, LogSoftmax(z, {{|LD0007:{value}|}}));
}}");
        Assert.Equal($"Term 'Kd': temperature {shown} must be a positive finite number", DiagnosticsTests.Message(d));
    }

    [Theory]
    [InlineData("= double.NaN;", "NaN")]
    [InlineData("= 0;", "0")]
    [InlineData("= -1;", "-1")]
    [InlineData("", "0")]
    public void LD0007_refuses_the_default_of_a_hyper_marked_Temperature(string initializer, string shown)
    {
        var marked = initializer.Length == 0
            ? "[Hyper, Temperature] public double {|LD0007:Tau|} { get; set; }"
            : $"[Hyper, Temperature] public double Tau {{ get; set; }} = {{|LD0007:{initializer.TrimStart('=', ' ').TrimEnd(';')}|}};";
        var d = DiagnosticsTests.Single($@"
[Loss]
public partial class Marked
{{
    {marked}
    [Term] public Real Nce(Embeddings z, Labels y) => (Pairwise(Normalize(z), Similarity.Dot) / Tau).Over(DifferentLabel(y)).LogSumExp().Mean();
}}");
        Assert.Equal($"Hyper-parameter 'Tau': temperature (default {shown}) must be a positive finite number", DiagnosticsTests.Message(d));
    }

    [Fact]
    public void LD0007_refuses_a_NaN_hyper_default_passed_as_a_temperature()
    {
        var d = DiagnosticsTests.Single(@"
[Loss]
public partial class NaNDefault
{
    [Hyper] public double T { get; set; } = double.NaN;
    [Term] public Real Kd(Logits s, Logits t) => KL(Softmax(t, {|LD0007:T|}), LogSoftmax(s, 2.0));
}");
        Assert.Equal("Term 'Kd': temperature 'T' (default NaN) must be a positive finite number", DiagnosticsTests.Message(d));
    }
}
