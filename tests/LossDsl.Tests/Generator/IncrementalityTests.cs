extern alias LossDslGenerator;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using LossDslGenerator::LossDsl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Tests.Generator
{
    /// <summary>The pipeline caches: an edit outside a loss re-runs nothing that emits code, an edit of a
    /// term does, and what flows between the named steps (<see cref="TrackingNames"/>) is plain values.</summary>
    public sealed class IncrementalityTests
    {
        private static readonly string[] TrackedSteps = { TrackingNames.Parse, TrackingNames.Diagnostics, TrackingNames.Model };

        private const string LossPath = "Kd.cs";

        private const string Loss = GeneratorHarness.Prelude + @"
namespace Samples
{
    [Loss]
    public partial class Kd
    {
        [Hyper] public double T { get; set; } = 4.0;

        [Term(Weight = 0.5)]
        public Real Ce(Logits student, Labels y) => CrossEntropy(student, y);

        [Term]
        public Real Soft(Logits student, [Frozen] Logits teacher) =>
            KL(Softmax(teacher, T), LogSoftmax(student, T)) * (T * T);
    }
}";

        private const string Unrelated = @"
namespace Elsewhere
{
    public class Helper { public int Value => 1; }
}";

        private static GeneratorRun FirstRun() =>
            GeneratorHarness.Run(new[] { new TestSource(LossPath, Loss), new TestSource("Helper.cs", Unrelated) });

        [Fact]
        public void Adding_a_file_elsewhere_leaves_every_step_cached()
        {
            var first = FirstRun();
            var edited = first.Input.AddSyntaxTrees(Parse("public class Added { }", "Added.cs"));
            var second = GeneratorHarness.Rerun(first, edited);

            AssertAllReasons(second, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
            Assert.Equal(first.Sources.ToArray(), second.Sources.ToArray());
        }

        [Fact]
        public void Editing_another_file_leaves_every_step_cached()
        {
            var first = FirstRun();
            var helper = first.Input.SyntaxTrees.Single(t => t.FilePath == "Helper.cs");
            var edited = first.Input.ReplaceSyntaxTree(helper,
                Parse(Unrelated.Replace("public int Value => 1;", "public int Value => 2; public class Added { }"), "Helper.cs"));
            var second = GeneratorHarness.Rerun(first, edited);

            AssertAllReasons(second, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
            Assert.Equal(first.Sources.ToArray(), second.Sources.ToArray());
        }

        [Fact]
        public void Editing_trivia_in_the_loss_file_reparses_but_changes_no_model()
        {
            var first = FirstRun();
            // Same lines (the model records File.cs:line), different text: a comment at a line's end.
            var second = Edit(first, Loss.Replace("public partial class Kd", "public partial class Kd // distillation"));

            Assert.Contains(second.Steps(TrackingNames.Parse).SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Unchanged);
            AssertReasons(second, TrackingNames.Model, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
            AssertReasons(second, TrackingNames.Diagnostics, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
            Assert.Equal(first.Sources.ToArray(), second.Sources.ToArray());
        }

        [Fact]
        public void Editing_a_term_body_modifies_parse_and_model_and_the_output()
        {
            var first = FirstRun();
            var second = Edit(first, Loss.Replace("* (T * T)", "* T"));

            AssertReasons(second, TrackingNames.Parse, IncrementalStepRunReason.Modified);
            AssertReasons(second, TrackingNames.Model, IncrementalStepRunReason.Modified);
            Assert.NotEqual(first.Sources.Single().Text, second.Sources.Single().Text);
            Assert.Contains("· T", second.Sources.Single().Text);
        }

        [Fact]
        public void Editing_a_weight_modifies_the_model()
        {
            var first = FirstRun();
            var second = Edit(first, Loss.Replace("Weight = 0.5", "Weight = 0.25"));

            AssertReasons(second, TrackingNames.Model, IncrementalStepRunReason.Modified);
            Assert.Contains("0.25", second.Sources.Single().Text);
        }

        [Fact]
        public void Introducing_an_error_modifies_diagnostics_and_removes_the_model()
        {
            var first = FirstRun();
            var second = Edit(first, Loss.Replace("Softmax(teacher, T)", "Softmax(teacher, 0)"));

            AssertReasons(second, TrackingNames.Diagnostics, IncrementalStepRunReason.Modified);
            Assert.Contains(second.Steps(TrackingNames.Model).SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Removed);
            Assert.Equal("LD0007", Assert.Single(second.LossDiagnostics).Id);
            Assert.Empty(second.Sources);
        }

        [Fact]
        public void Models_are_value_equal_across_independent_runs()
        {
            // Two drivers, two compilations, two syntax trees: nothing is shared but the text.
            var a = FirstRun();
            var b = FirstRun();
            foreach (var name in TrackedSteps)
            {
                var left = a.Steps(name).SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
                var right = b.Steps(name).SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
                Assert.NotEmpty(left);
                Assert.Equal(left, right);
                Assert.Equal(left.Select(v => v.GetHashCode()), right.Select(v => v.GetHashCode()));
            }
            Assert.IsType<ParseResult>(a.Steps(TrackingNames.Parse).Single().Outputs.Single().Value);
            Assert.IsType<LossModel>(a.Steps(TrackingNames.Model).Single().Outputs.Single().Value);
        }

        [Fact]
        public void Step_outputs_hold_no_roslyn_objects()
        {
            // A loss with diagnostics too, so that locations flow through the Diagnostics step.
            var run = GeneratorHarness.Run(new[]
            {
                new TestSource(LossPath, Loss),
                new TestSource("Broken.cs", GeneratorHarness.Prelude +
                    "[Loss] public partial class Broken { [Term] public Real X(Logits z, Labels y) => CrossEntropy(z, y) * System.Math.Round(1.5); }"),
            });
            Assert.NotEmpty(run.LossDiagnostics);

            var offenders = new List<string>();
            var visited = 0;
            foreach (var name in TrackedSteps)
                foreach (var (value, _) in run.Steps(name).SelectMany(s => s.Outputs))
                    visited += RoslynFreeWalker.Walk(value, name, offenders);
            Assert.True(offenders.Count == 0, "Roslyn objects in step outputs:\n" + string.Join("\n", offenders));
            Assert.True(visited > 50, $"Walked only {visited} objects");
        }

        [Fact]
        public void The_walker_finds_roslyn_objects()
        {
            var offenders = new List<string>();
            var tree = CSharpSyntaxTree.ParseText("class C { }");
            RoslynFreeWalker.Walk(new { Fine = new TextSpan(1, 2), Node = new[] { (object)tree.GetRoot() }, Where = Location.None }, "sample", offenders);
            Assert.Equal(2, offenders.Count);
            Assert.Contains(offenders, o => o.Contains("Node") && o.Contains("[0]: Microsoft.CodeAnalysis"));
            Assert.Contains(offenders, o => o.Contains("Where"));
        }

        // ---- helpers ------------------------------------------------------------------------------

        private static SyntaxTree Parse(string text, string path) => CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, path);

        private static GeneratorRun Edit(GeneratorRun previous, string newLossText)
        {
            var old = previous.Input.SyntaxTrees.Single(t => t.FilePath == LossPath);
            return GeneratorHarness.Rerun(previous, previous.Input.ReplaceSyntaxTree(old, Parse(newLossText, LossPath)));
        }

        private static void AssertAllReasons(GeneratorRun run, params IncrementalStepRunReason[] allowed)
        {
            foreach (var name in TrackedSteps) AssertReasons(run, name, allowed);
        }

        private static void AssertReasons(GeneratorRun run, string step, params IncrementalStepRunReason[] allowed)
        {
            var outputs = run.Steps(step).SelectMany(s => s.Outputs).ToList();
            Assert.True(outputs.Count > 0, $"Step '{step}' did not run");
            var wrong = outputs.Where(o => !allowed.Contains(o.Reason)).Select(o => $"{o.Reason}: {o.Value}").ToList();
            Assert.True(wrong.Count == 0,
                $"Step '{step}' expected {string.Join(" or ", allowed)}, got:\n{string.Join("\n", wrong)}");
        }
    }

    /// <summary>Walks an object graph by reflection and lists every Roslyn object in it (symbols, syntax,
    /// semantic models, compilations, locations...), which would keep compilations alive and defeat
    /// caching. Plain position structs (<see cref="TextSpan"/>, <see cref="LinePositionSpan"/>) are values and allowed.</summary>
    internal static class RoslynFreeWalker
    {
        private static readonly HashSet<Type> Allowed = new() { typeof(TextSpan), typeof(LinePositionSpan), typeof(LinePosition) };

        /// <summary>Adds offenders to <paramref name="offenders"/> and returns the number of objects walked.</summary>
        public static int Walk(object? root, string path, List<string> offenders)
        {
            var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
            var count = 0;
            var stack = new Stack<(object? value, string path)>();
            stack.Push((root, path));
            while (stack.Count > 0)
            {
                var (value, at) = stack.Pop();
                if (value is null) continue;
                var type = value.GetType();
                if (type.IsPrimitive || type.IsEnum || value is string or decimal) continue;
                if (Allowed.Contains(type)) continue;
                if (IsRoslyn(type))
                {
                    offenders.Add($"{at}: {type.FullName}");
                    continue;
                }
                if (!type.IsValueType && !seen.Add(value)) continue;
                count++;
                if (value is Array array)
                {
                    var i = 0;
                    foreach (var item in array) stack.Push((item, $"{at}[{i++}]"));
                    continue;
                }
                for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
                {
                    foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        // A field typed as a Roslyn object is wrong even while it holds null.
                        if (IsRoslyn(field.FieldType) && !Allowed.Contains(field.FieldType) && !field.FieldType.IsEnum)
                            offenders.Add($"{at}.{field.Name}: field of type {field.FieldType.FullName}");
                        else
                            stack.Push((field.GetValue(value), $"{at}.{field.Name}"));
                    }
                }
            }
            return count;
        }

        private static bool IsRoslyn(Type type)
        {
            var element = type.IsArray ? type.GetElementType()! : type;
            return element.Assembly.GetName().Name?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true;
        }
    }
}
