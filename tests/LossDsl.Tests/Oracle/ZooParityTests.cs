using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LossDsl.Cli;
using Xunit.Abstractions;

namespace LossDsl.Tests.Oracle;

/// <summary>The zoo reproduces the reference implementations of <c>cases.json</c> and <c>cases_seeds.json</c>
/// (copied from /work/shared/oracle; CONVENTIONS.md there says what each computes) in float64, value and every
/// gradient within 1e-9, along all three paths: the generated code with its fused kernels, the generated code
/// unfused, and the interpreter running the IR the term bodies trace. The cases map to losses through the same
/// table as <c>lossdsl check</c> (<see cref="ReferenceMap"/>), so the two never disagree.</summary>
public sealed class ZooParityTests
{
    private readonly ITestOutputHelper _output;

    public ZooParityTests(ITestOutputHelper output) => _output = output;

    public const double Tolerance = 1e-9;

    public static IReadOnlyList<ReferenceCase> Load(string file) =>
        CaseFile.Load(Path.Combine(AppContext.BaseDirectory, "Oracle", file));

    /// <summary>Every case a zoo loss stands for, on every path.</summary>
    public static TheoryData<string, string, EvaluationPath> Cases()
    {
        var data = new TheoryData<string, string, EvaluationPath>();
        foreach (var file in new[] { "cases.json", "cases_seeds.json" })
            foreach (var c in Load(file))
            {
                try { ReferenceMap.Resolve(c); }
                catch (UnsupportedReferenceException) { continue; }
                foreach (var path in Enum.GetValues<EvaluationPath>()) data.Add(file, c.Name, path);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Zoo_loss_matches_the_reference(string file, string name, EvaluationPath path)
    {
        var c = Load(file).Single(x => x.Name == name);
        var outcome = CaseEvaluator.Check(c, ReferenceMap.Resolve(c), Tolerance, path);
        foreach (var comparison in outcome.Comparisons)
            _output.WriteLine($"{name} {path} {comparison.What}: {comparison.Error:E2} ({comparison.Detail})");
        Assert.True(outcome.Verdict == Verdict.Pass, $"{name} ({path}): {outcome.Message}");
    }

    /// <summary>IR v2's proof: every case of <c>cases.json</c> has a zoo loss, and so do the seed papers whose
    /// losses need its new shapes (token relations, gathers from tables, soft graphs, optimal assignment).</summary>
    [Fact]
    public void Every_reference_case_and_the_new_shapes_seed_cases_are_supported()
    {
        var required = Load("cases.json")
            .Concat(Load("cases_seeds.json").Where(c => new[] { "videorepa_", "kge_", "m3col_", "detr_" }.Any(c.Name.StartsWith)));
        var unsupported = new List<string>();
        foreach (var c in required)
        {
            try { ReferenceMap.Resolve(c); }
            catch (UnsupportedReferenceException e) { unsupported.Add($"{c.Name}: {e.Reason}"); }
        }
        Assert.True(unsupported.Count == 0, "Unsupported:\n" + string.Join("\n", unsupported));
    }
}
