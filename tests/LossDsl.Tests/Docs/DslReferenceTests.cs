using System;
using System.IO;
using System.Linq;
using LossDsl.Ir;
using LossDsl.Tests.Snapshots;

namespace LossDsl.Tests.Docs;

public sealed class DslReferenceTests
{
    private static string DocsPath => Path.Combine(RepositoryRoot.Find()!, "docs", "dsl.md");

    [Fact]
    public void Docs_dsl_md_is_up_to_date()
    {
        var generated = DslReference.Generate();
        if (Environment.GetEnvironmentVariable("LOSSDSL_ACCEPT_SNAPSHOTS") == "1") File.WriteAllText(DocsPath, generated);
        var current = File.Exists(DocsPath) ? File.ReadAllText(DocsPath).Replace("\r\n", "\n") : "";
        Assert.True(current == generated,
            "docs/dsl.md is out of date; regenerate it: LOSSDSL_ACCEPT_SNAPSHOTS=1 dotnet test LossDsl.sln --filter FullyQualifiedName~DslReference");
    }

    [Fact]
    public void Every_operation_with_a_DSL_method_has_an_entry_with_a_documented_method()
    {
        var text = DslReference.Generate();
        foreach (var op in new[] { OpCode.Normalize, OpCode.Softmax, OpCode.CrossEntropy, OpCode.Pairwise })
            Assert.Contains($"\n### {op}\n", text);
        Assert.Contains("Softmax(Logits x, double temperature) → Probs`  \nSoftmax of `x / temperature` over classes.", text);
    }
}
