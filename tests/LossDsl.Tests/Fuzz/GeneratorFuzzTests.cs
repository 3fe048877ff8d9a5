using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using LossDsl.Runtime;
using LossDsl.Tests.Equality;
using LossDsl.Tests.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TorchSharp;
using Xunit.Abstractions;

namespace LossDsl.Tests.Fuzz;

/// <summary>Fuzzes the generator with <see cref="LossFuzzer"/> declarations (fixed seeds), many per compilation, and
/// holds the rule of issue 9: the generator never throws (no CS8785, AD0001, LD9999); every invalid declaration gets
/// at least one LD diagnostic inside it (the expected id among them); whatever is generated compiles; every valid
/// declaration (and every mutant that turns out valid) compiles, runs, and its generated Compute, fused and unfused,
/// equals the interpreter on the IR its terms trace. The CI-sized run (2,000 declarations) is part of <c>dotnet test</c>;
/// a larger one (20,000, every valid loss also fused and interpreted) is <c>[Trait("Category", "Slow")]</c>:
/// <c>LOSSDSL_SLOW=1 dotnet test --filter "Category=Slow&amp;FullyQualifiedName~GeneratorFuzz" --logger "console;verbosity=detailed"</c>
/// prints the counts.</summary>
public sealed class GeneratorFuzzTests
{
    private readonly ITestOutputHelper _output;

    public GeneratorFuzzTests(ITestOutputHelper output) => _output = output;

    /// <summary>The counts of one fuzz run (reported in the test output).</summary>
    public sealed class Counts
    {
        public int Declarations, Valid, Invalid, Unknown, Diagnosed, CSharpInvalid, Generated, Ran, Compared, MutantsThatRan;
        public readonly SortedDictionary<string, int> ByCategory = new(StringComparer.Ordinal);
        public readonly SortedDictionary<string, int> ById = new(StringComparer.Ordinal);

        public override string ToString() =>
            $"{Declarations} declarations: {Valid} valid, {Invalid} invalid by construction, {Unknown} with deleted tokens; " +
            $"{Diagnosed} got LD diagnostics, {CSharpInvalid} mutants were not valid C# (no LD required), {Generated} generated, " +
            $"{Ran} compiled and ran ({MutantsThatRan} of them mutants that stayed valid; {Compared} also fused and interpreted, equal)\n" +
            "  LD ids: " + string.Join(", ", ById.Select(p => $"{p.Key} ×{p.Value}")) + "\n" +
            "  categories: " + string.Join(", ", ByCategory.Select(p => $"{p.Key} ×{p.Value}"));
    }

    [Fact]
    public void Thousands_of_declarations_never_crash_the_generator_and_get_compiling_code_or_a_diagnostic()
    {
        var counts = Fuzz(seed: 20240917, valid: 500, mutants: 1500, batch: 500, compareEvery: 4);
        Assert.True(counts.Declarations >= 2000);
        Assert.True(counts.Ran >= 500, counts.ToString());
    }

    [LossDsl.Tests.Reliability.SlowFact]
    [Trait("Category", "Slow")]
    public void A_large_fuzz_run_never_crashes_the_generator_and_gets_compiling_code_or_a_diagnostic()
    {
        foreach (var seed in new[] { 1, 2, 3, 4 })
            Fuzz(seed, valid: 1500, mutants: 3500, batch: 500, compareEvery: 1);
    }

    /// <param name="compareEvery">Every valid loss runs unfused (value and backward); one in this many also runs fused and
    /// interpreted, compared with it (every fused kernel is a class of its own to JIT: the CI-sized run samples them).</param>
    private Counts Fuzz(int seed, int valid, int mutants, int batch, int compareEvery)
    {
        var clock = Stopwatch.StartNew();
        var fuzzer = new LossFuzzer(seed);
        var random = new Random(seed);
        var cases = Enumerable.Range(0, valid).Select(_ => fuzzer.NextValid())
            .Concat(Enumerable.Range(0, mutants).Select(_ => fuzzer.NextMutant()))
            .OrderBy(_ => random.Next()).ToList();
        var counts = new Counts();
        for (var start = 0; start < cases.Count; start += batch)
            Check(cases.Skip(start).Take(batch).ToList(), counts, seed, compareEvery);
        _output.WriteLine($"seed {seed}: {counts} ({clock.Elapsed.TotalSeconds:F1} s)");
        return counts;
    }

    private static string CaseOf(string path)
    {
        // Case files are "Fuzz.C{i}.cs" / "Fuzz.C{i}.part2.cs"; generated ones end with "Fuzz.C{i}.{Class}.g.cs".
        var name = System.IO.Path.GetFileName(path);
        var parts = name.Split('.');
        if (parts.Length > 1 && parts[0] == "Fuzz") return parts[0] + "." + parts[1];
        // A mutant whose namespace lost its dot ("namespace FuzzC12") generates "FuzzC12.{Class}.g.cs".
        return parts.Length > 1 && parts[0].StartsWith("FuzzC", StringComparison.Ordinal) ? "Fuzz." + parts[0][4..] : "";
    }

    private static void Progress(string text)
    {
        if (Environment.GetEnvironmentVariable("LOSSDSL_FUZZ_PROGRESS") is { Length: > 0 } file)
            System.IO.File.AppendAllText(file, $"{DateTime.Now:HH:mm:ss.fff} {text} (managed {GC.GetTotalMemory(false) >> 20} MiB, process {Environment.WorkingSet >> 20} MiB)\n");
    }

    private void Check(List<FuzzCase> cases, Counts counts, int seed, int compareEvery)
    {
        Progress($"batch from case {cases[0].Index}: generating");
        var byNamespace = cases.ToDictionary(c => c.Namespace);
        var run = GeneratorHarness.Run(cases.SelectMany(c => c.Files.Select(f => new TestSource(f.Path, f.Text))), References.Runtime);
        Assert.True(!run.Crashes.Any(), $"seed {seed}: the generator crashed:\n" + string.Join("\n", run.Crashes));
        var internalErrors = run.LossDiagnostics.Where(d => d.Id == "LD9999").ToList();
        Assert.True(internalErrors.Count == 0, $"seed {seed}: internal generator errors:\n" + GeneratorRun.Show(internalErrors) +
            "\n" + string.Join("\n\n", internalErrors.Select(d => CaseOf(d.Location.GetLineSpan().Path ?? "")).Distinct()
                .Where(byNamespace.ContainsKey).Select(ns => byNamespace[ns].ToString())));

        Progress("generated; binding");
        var userTrees = run.Input.SyntaxTrees.ToList();
        var generatedTrees = run.Output.SyntaxTrees.Except(userTrees).ToList();
        var userErrors = run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)
            .ToLookup(d => CaseOf(d.Location.SourceTree?.FilePath ?? ""));
        // Only the generated files are bound again (the user's files were just bound, in Input).
        var generatedErrors = generatedTrees
            .SelectMany(t => run.Output.GetSemanticModel(t).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
            .ToLookup(d => CaseOf(d.Location.SourceTree!.FilePath));
        // LD diagnostics carry plain file locations (the pipeline caches no syntax trees): map them by path.
        var ld = run.LossDiagnostics.ToLookup(d => CaseOf(d.Location.GetLineSpan().Path ?? ""));
        Assert.True(!ld[""].Any(), "LD diagnostics without a location in a case:\n" + GeneratorRun.Show(ld[""]));
        var generated = generatedTrees.ToLookup(t => CaseOf(t.FilePath));
        var runnable = new List<FuzzCase>();

        foreach (var c in cases)
        {
            counts.Declarations++;
            counts.ByCategory[c.Category] = counts.ByCategory.TryGetValue(c.Category, out var n) ? n + 1 : 1;
            var diagnostics = ld[c.Namespace].ToList();
            foreach (var d in diagnostics) counts.ById[d.Id] = counts.ById.TryGetValue(d.Id, out var k) ? k + 1 : 1;
            if (diagnostics.Count > 0) counts.Diagnosed++;
            if (generated[c.Namespace].Any()) counts.Generated++;

            // Whatever is generated compiles (errors the user's own code causes in it aside: then the user sees those first).
            var errorsInGenerated = generatedErrors[c.Namespace].ToList();
            var userErrorsOfCase = userErrors[c.Namespace].ToList();
            Assert.True(errorsInGenerated.Count == 0 || userErrorsOfCase.Count > 0,
                $"Generated code that does not compile:\n{GeneratorRun.Show(errorsInGenerated)}\n{c}");

            switch (c.Expect)
            {
                case Expectation.Valid:
                    counts.Valid++;
                    Assert.True(userErrorsOfCase.Count == 0, $"A valid case that is not valid C# (fuzzer bug):\n{GeneratorRun.Show(userErrorsOfCase)}\n{c}");
                    Assert.True(diagnostics.Count == 0, $"LD diagnostics on a valid loss:\n{GeneratorRun.Show(diagnostics)}\n{c}");
                    Assert.True(generated[c.Namespace].Any(), $"Nothing generated for a valid loss:\n{c}");
                    runnable.Add(c);
                    break;
                case Expectation.Invalid:
                    counts.Invalid++;
                    // Mutations are built to be valid C#: a C# error would be a fuzzer bug, and hide what is tested.
                    Assert.True(userErrorsOfCase.Count == 0, $"An invalid-by-construction case that is not valid C# (fuzzer bug):\n{GeneratorRun.Show(userErrorsOfCase)}\n{c}");
                    AssertDiagnosedInside(c, diagnostics, run);
                    Assert.True(diagnostics.Any(d => d.Id == c.ExpectedId), $"Expected {c.ExpectedId} among:\n{GeneratorRun.Show(diagnostics)}\n{c}");
                    Assert.False(generated[c.Namespace].Any(), $"Code generated for an invalid loss:\n{c}");
                    break;
                default:
                    counts.Unknown++;
                    if (userErrorsOfCase.Count > 0)
                    {
                        counts.CSharpInvalid++;
                        break;
                    }
                    if (diagnostics.Count > 0)
                    {
                        AssertDiagnosedInside(c, diagnostics, run);
                        Assert.False(generated[c.Namespace].Any(), $"Code generated beside an LD diagnostic:\n{c}");
                    }
                    else if (HasLossClass(c, run))
                    {
                        // It compiles as a [Loss] and nothing was reported: it must be a valid loss.
                        Assert.True(generated[c.Namespace].Any(), $"A [Loss] that compiles got neither code nor a diagnostic:\n{c}");
                        runnable.Add(c);
                        counts.MutantsThatRan++;
                    }
                    break;
            }
        }

        Progress($"checked; {runnable.Count} to run");
        if (runnable.Count == 0) return;
        var trees = userTrees.Where(t => runnable.Any(c => c.Namespace == CaseOf(t.FilePath)))
            .Concat(generatedTrees.Where(t => runnable.Any(c => c.Namespace == CaseOf(t.FilePath))));
        var compilation = CSharpCompilation.Create($"Fuzz{seed}_{cases[0].Index}", trees, GeneratorHarness.ReferencesFor(References.Runtime),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new System.IO.MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, "Valid losses do not compile:\n" + GeneratorRun.Show(emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
        var assembly = Assembly.Load(image.ToArray());
        foreach (var c in runnable)
        {
            Progress($"running #{c.Index}");
            RunAllPaths(assembly, c, seed, compare: c.Index % compareEvery == 0);
            counts.Ran++;
            if (c.Index % compareEvery == 0) counts.Compared++;
        }
    }

    private static bool HasLossClass(FuzzCase c, GeneratorRun run) =>
        run.Input.SyntaxTrees.Where(t => CaseOf(t.FilePath) == c.Namespace)
            .SelectMany(t => t.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>())
            .Any(t => t.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() is "Loss" or "LossAttribute" or "LossDsl.Loss"));

    /// <summary>Every LD diagnostic of the case lies in one of its files, inside a type declaration.</summary>
    private static void AssertDiagnosedInside(FuzzCase c, List<Diagnostic> diagnostics, GeneratorRun run)
    {
        Assert.True(diagnostics.Count > 0, $"No LD diagnostic for an invalid loss:\n{c}");
        foreach (var d in diagnostics)
        {
            var tree = run.Input.SyntaxTrees.Single(t => t.FilePath == d.Location.GetLineSpan().Path);
            var inside = tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>().Any(t => t.Span.Contains(d.Location.SourceSpan));
            Assert.True(inside, $"{d} lies outside the declaration:\n{c}");
        }
    }

    /// <summary>The loss's generated Compute, fused and unfused, and the interpreter on its traced IR give the same
    /// value (NaN and infinities alike), and back-propagate.</summary>
    private static void RunAllPaths(Assembly assembly, FuzzCase c, int seed, bool compare)
    {
        // A mutant may have changed the namespace (FuzzC12 for Fuzz.C12): the class of the case is the one of that name
        // in a namespace that maps to the case.
        var type = assembly.GetType(c.FullName)
            ?? assembly.GetTypes().FirstOrDefault(t => t.Name == c.ClassName && CaseOf((t.Namespace ?? "") + "." + t.Name + ".g.cs") == c.Namespace)
            ?? throw new InvalidOperationException($"No type {c.FullName}:\n{c}");
        var loss = (ILoss)Activator.CreateInstance(type)!;
        using var scope = torch.NewDisposeScope();
        var batch = 1 + (c.Index + seed) % 6;
        var values = new List<(string Path, double Value)>();
        var traced = loss.Trace();
        var inputs = RandomInputs.For(traced, seed: c.Index, batch: batch);
        foreach (var path in compare ? new[] { "unfused", "fused", "interpreted" } : new[] { "unfused" })
        {
            LossResult result;
            try
            {
                LossPaths.UseFused(loss, path == "fused");
                result = path == "interpreted" ? IrInterpreter.Evaluate(traced, inputs, lossName: loss.Name) : loss.Compute(inputs);
                if (result.Total.requires_grad) result.Total.backward();
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{path} Compute threw {e.GetType().Name}: {e.Message}\n{c}");
            }
            using (result) values.Add((path, result.Total.item<double>()));
        }
        var reference = values[0].Value;
        foreach (var (path, value) in values.Skip(1))
        {
            var same = double.IsNaN(reference) ? double.IsNaN(value)
                : double.IsInfinity(reference) ? value == reference
                : Math.Abs(value - reference) <= 1e-8 * Math.Max(1, Math.Abs(reference));
            Assert.True(same, $"{path} = {value:R}, unfused = {reference:R} (N = {batch}):\n{c}");
        }
    }
}
