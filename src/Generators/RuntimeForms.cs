using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;
using Microsoft.CodeAnalysis;

namespace LossDsl.Generators
{
    /// <summary>Checks that every operation of a loss has a run-time form for the values it is given: the
    /// <c>LossDsl.Runtime.Ops</c> method that generated code calls (and the interpreter finds by the arguments' run-time
    /// types) must have an overload taking them. The DSL's generic methods (<c>SmoothL1&lt;T&gt;</c>, <c>Mse&lt;T&gt;</c>,
    /// <c>Normalize&lt;T&gt;</c>, …) accept every float kind, but <c>Triplets</c> are a <c>TripletTensor</c> at run time, not
    /// a <c>Tensor</c>: without this check such a call passed the kind check and failed inside the generated file
    /// (CS1503). Skipped when the compilation does not reference the runtime (the generated code cannot compile then
    /// anyway).</summary>
    internal static class RuntimeForms
    {
        private const string OpsName = "LossDsl.Runtime.Ops";

        public static void Check(Compilation compilation, LossIr ir, Dictionary<int, (SyntaxNode syntax, string term)> nodeSyntax,
            SyntaxToken classIdentifier, string className, DiagnosticBag diagnostics)
        {
            var ops = compilation.GetTypeByMetadataName(OpsName);
            var tensor = compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor");
            if (ops is null || tensor is null) return;
            var types = new Dictionary<ValueKind, ITypeSymbol?>
            {
                [ValueKind.Triplets] = compilation.GetTypeByMetadataName("LossDsl.Runtime.TripletTensor"),
                [ValueKind.Masked] = compilation.GetTypeByMetadataName("LossDsl.Runtime.MaskedRelation"),
                [ValueKind.Matching] = compilation.GetTypeByMetadataName("LossDsl.Runtime.Matching"),
                [ValueKind.Number] = compilation.GetSpecialType(SpecialType.System_Double),
            };
            ITypeSymbol? RuntimeType(ValueKind kind) => types.TryGetValue(kind, out var t) ? t : tensor;

            var inferred = TypeInference.Infer(ir);
            var reported = new HashSet<int>();
            foreach (var node in ir.Nodes)
            {
                var call = RuntimeCalls.For(ir, inferred, node);
                if (call is null) continue;
                // Arguments that are nodes come first; an aligned one is passed through Ops.Align / PerRow (a Tensor).
                var given = call.Args.OfType<NodeArg>()
                    .Select(a => a.Alignment.Count > 0 && ir.Nodes[a.Node].Kind is not (ValueKind.Triplets or ValueKind.Masked or ValueKind.Matching)
                        ? tensor
                        : RuntimeType(ir.Nodes[a.Node].Kind))
                    .ToList();
                if (given.Any(t => t is null)) continue;
                var candidates = ops.GetMembers(call.Method).OfType<IMethodSymbol>()
                    .Where(m => m.IsStatic && m.DeclaredAccessibility == Accessibility.Public).ToList();
                if (candidates.Count == 0) continue; // An unknown runtime op is the catalogue's business (OpCatalogTests).
                var fits = candidates.Any(m => m.Parameters.Length >= given.Count
                    && given.Select((t, i) => compilation.ClassifyCommonConversion(t!, m.Parameters[i].Type).IsImplicit).All(ok => ok));
                if (fits || !reported.Add(node.Id)) continue;

                var kinds = string.Join(", ", node.Args.Select(a => ir.Nodes[a].Kind.ToString()));
                var forms = string.Join("; ", candidates.Select(m => "(" + string.Join(", ",
                    m.Parameters.Take(given.Count).Select(p => Runtime(p.Type))) + ")").Distinct());
                var hint = node.Args.Any(a => ir.Nodes[a].Kind == ValueKind.Triplets)
                    ? " Reduce triplets to a number first (Mean(), Sum(), MeanNonZero()) or combine them element-wise."
                    : "";
                var op = OpCatalog.Get(node.Op).Code;
                if (nodeSyntax.TryGetValue(node.Id, out var at))
                    diagnostics.Add(Diagnostics.KindMismatch, at.syntax, at.term,
                        $"'{op}' has no run-time form for ({kinds}); it takes {forms}.{hint}");
                else
                    diagnostics.Add(Diagnostics.KindMismatch, classIdentifier, className,
                        $"'{op}' has no run-time form for ({kinds}); it takes {forms}.{hint}");
            }
        }

        /// <summary>How a runtime parameter type reads in a message: the DSL kinds it accepts.</summary>
        private static string Runtime(ITypeSymbol type) => type.Name switch
        {
            "Tensor" => "a tensor value",
            "TripletTensor" => "Triplets",
            "MaskedRelation" => "Masked",
            "Matching" => "Matching",
            "Double" => "a number",
            _ => type.ToDisplayString(),
        };
    }
}
