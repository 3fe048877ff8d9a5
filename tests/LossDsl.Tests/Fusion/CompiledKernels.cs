extern alias LossDslGenerator;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using LossDslGenerator::LossDsl.Generators;
using LossDslGenerator::LossDsl.Generators.Fusion;
using LossDsl.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static LossDsl.Dsl;
using TorchTensor = TorchSharp.torch.Tensor;

namespace LossDsl.Tests.Fusion;

/// <summary>One shape of fused region: its graph, whether the diagonal is dropped, whether it is scaled.</summary>
public sealed record KernelVariant(string Graph, bool ExcludeSelf, bool Scaled)
{
    public bool NeedsLabels => Graph != FusionPlanner.AllPairs;
    public override string ToString() => $"{Graph}{(ExcludeSelf ? ".ExcludeSelf" : "")}{(Scaled ? " scaled" : "")}";

    public static IReadOnlyList<KernelVariant> All { get; } =
        (from graph in new[] { FusionPlanner.AllPairs, FusionPlanner.SameLabel, FusionPlanner.DifferentLabel }
         from exclude in new[] { false, true }
         from scaled in new[] { false, true }
         select new KernelVariant(graph, exclude, scaled)).ToArray();
}

/// <summary>The kernels <see cref="KernelEmitter"/> writes for every <see cref="KernelVariant"/>: each
/// region planned from a DSL expression, emitted, and compiled in memory (once per test run) against
/// LossDsl.Runtime and TorchSharp, so the tests run exactly the code the generator emits.</summary>
internal static class CompiledKernels
{
    private static readonly Lazy<(Dictionary<KernelVariant, string> Text, Dictionary<KernelVariant, Func<TorchTensor, TorchTensor, TorchTensor?, double, TorchTensor>> Apply)> Built = new(Build);

    /// <summary>The emitted class of a variant.</summary>
    public static string Text(KernelVariant variant) => Built.Value.Text[variant];

    /// <summary><c>__FusedRegion0.Apply(x, y, labels, scale)</c> of a variant.</summary>
    public static TorchTensor Apply(KernelVariant variant, TorchTensor x, TorchTensor y, TorchTensor? labels, double scale) =>
        Built.Value.Apply[variant](x, y, labels, scale);

    /// <summary>The IR of <c>mean_i log Σ_{j ∈ G} exp(s · ⟨x_i, y_j⟩)</c> for a variant.</summary>
    public static LossIr Ir(KernelVariant variant)
    {
        var x = Embeddings.Input("x");
        var y = Labels.Input("y");
        var relation = Pairwise(x, Embeddings.Input("w"), Similarity.Dot);
        if (variant.Scaled) relation = relation / 0.25;
        var graph = variant.Graph switch
        {
            FusionPlanner.SameLabel => SameLabel(y),
            FusionPlanner.DifferentLabel => DifferentLabel(y),
            _ => AllPairs(),
        };
        if (variant.ExcludeSelf) graph = graph.ExcludeSelf();
        var builder = new IrBuilder();
        builder.AddTerm("Lse", 1.0, relation.Over(graph).LogSumExp().Mean().Expr, "Kernels.cs:1");
        return builder.Build();
    }

    private static (Dictionary<KernelVariant, string>, Dictionary<KernelVariant, Func<TorchTensor, TorchTensor, TorchTensor?, double, TorchTensor>>) Build()
    {
        var texts = new Dictionary<KernelVariant, string>();
        var source = new IndentedWriter();
        source.Line("#nullable enable");
        var variants = KernelVariant.All;
        using (source.Block("namespace LossDsl.Tests.Fusion.Compiled"))
        {
            for (var k = 0; k < variants.Count; k++)
            {
                var ir = GeneratorIr.From(Ir(variants[k]));
                var region = Assert.Single(FusionPlanner.Plan(ir));
                var w = new IndentedWriter();
                KernelEmitter.EmitRegionClass(w, ir, region, 0);
                texts[variants[k]] = w.ToString();
                using (source.Block($"public static partial class Host{k}"))
                {
                    foreach (var line in w.ToString().TrimEnd('\n').Split('\n')) source.Line(line);
                    source.Line();
                    source.Line("public static global::TorchSharp.torch.Tensor Run(global::TorchSharp.torch.Tensor x, global::TorchSharp.torch.Tensor y, global::TorchSharp.torch.Tensor? labels, double scale) =>");
                    source.Line("    __FusedRegion0.Apply(x, y, labels, scale);");
                }
            }
        }

        var tree = CSharpSyntaxTree.ParseText(source.ToString(), new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create("LossDslFusedKernels", new[] { tree }, References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
                nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(result.Success && problems.Count == 0,
            "The emitted kernels do not compile cleanly:\n" + string.Join("\n", problems) + "\n\n" + source);

        var assembly = Assembly.Load(image.ToArray());
        var apply = new Dictionary<KernelVariant, Func<TorchTensor, TorchTensor, TorchTensor?, double, TorchTensor>>();
        for (var k = 0; k < variants.Count; k++)
        {
            var run = assembly.GetType($"LossDsl.Tests.Fusion.Compiled.Host{k}")!.GetMethod("Run")!;
            apply[variants[k]] = run.CreateDelegate<Func<TorchTensor, TorchTensor, TorchTensor?, double, TorchTensor>>();
        }
        return (texts, apply);
    }

    private static IEnumerable<MetadataReference> References()
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return trusted.Where(p => Path.GetDirectoryName(p) == framework)
            .Append(typeof(LossDsl.Runtime.Fused.FusedPairFunction).Assembly.Location)
            .Append(typeof(TorchSharp.torch).Assembly.Location)
            .Append(typeof(LossDsl.Dsl).Assembly.Location)
            .Distinct()
            .Select(p => MetadataReference.CreateFromFile(p));
    }
}
