using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using LossDsl.Cli;

namespace LossDsl.Tests.Oracle;

/// <summary>The parity comparison is sharp enough to notice a reference altered by one part in a million.</summary>
public sealed class ToleranceSanityTests
{
    [Fact]
    public void A_reference_perturbed_by_1e6_relative_is_reported_as_a_mismatch()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Oracle", "cases.json"));
        var root = JsonNode.Parse(text)!;
        var cases = root["cases"]!.AsArray();
        var supcon = cases.Single(c => c!["name"]!.GetValue<string>() == "pml_supcon_t0.1_n12_d5_c3")!;
        var exact = CaseFile.Parse(new JsonObject { ["cases"] = new JsonArray(supcon.DeepClone()) }.ToJsonString(), "exact")[0];

        var perturbed = supcon.DeepClone();
        perturbed["loss"] = perturbed["loss"]!.GetValue<double>() * (1 + 1e-6);
        var grads = perturbed["grads"]!["embeddings"]!.AsArray();
        foreach (var row in grads) foreach (var i in Enumerable.Range(0, row!.AsArray().Count)) row[i] = row[i]!.GetValue<double>() * (1 + 1e-6);
        var changed = CaseFile.Parse(new JsonObject { ["cases"] = new JsonArray(perturbed) }.ToJsonString(), "perturbed")[0];

        var pass = CaseEvaluator.Check(exact, ReferenceMap.Resolve(exact), ZooParityTests.Tolerance, EvaluationPath.Unfused);
        var fail = CaseEvaluator.Check(changed, ReferenceMap.Resolve(changed), ZooParityTests.Tolerance, EvaluationPath.Unfused);
        Assert.Equal(Verdict.Pass, pass.Verdict);
        Assert.Equal(Verdict.Fail, fail.Verdict);
        Assert.All(fail.Comparisons, c => Assert.True(c.Error > 1e-9 && c.Error < 2e-6, $"{c.What}: {c.Error:E2}"));
    }

    [Fact]
    public void Matches_rejects_NaN_and_shape_changes()
    {
        var a = TorchSharp.torch.ones(3, TorchSharp.torch.float64);
        Assert.False(Tolerance.Matches(a * double.NaN, a, 1, out _));
        Assert.False(Tolerance.Matches(a.reshape(1, 3), a, 1, out _));
        Assert.True(Tolerance.Matches(a, a, 0, out var error) && error == 0);
    }
}
