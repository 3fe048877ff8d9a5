using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace LossDsl.Generators
{
    /// <summary>What to write instead of a call the DSL does not support: the DSL operation of the same name
    /// (<c>Math.Exp</c> of a tensor → <c>Exp</c>), or the DSL's spelling of a familiar PyTorch function
    /// (<c>gather</c> → <c>Rows(index)</c>).</summary>
    internal static class Suggestions
    {
        private static readonly Dictionary<string, string> Aliases = new()
        {
            ["max"] = "Maximum(a, b) entry-wise, or .Max(\"axis\"), .RowMax(), .Over(graph).Max() to reduce",
            ["min"] = "Minimum(a, b) entry-wise, or .Min(\"axis\"), .RowMin(), .Over(graph).Min() to reduce",
            ["maximum"] = "Maximum(a, b)",
            ["minimum"] = "Minimum(a, b)",
            ["clip"] = "Clamp(x, low, high)",
            ["clamp"] = "Clamp(x, low, high)",
            ["logsumexp"] = ".RowLogSumExp(), .LogSumExp(\"axis\") or .Over(graph).LogSumExp()",
            ["where"] = "Where(condition, a, b)",
            ["gather"] = ".Rows(index) for table rows, .Pick(labels) for the target entry of each row",
            ["indexselect"] = ".Rows(index)",
            ["onehot"] = "ClassOf(labels) (a graph) or ClassOf(labels).AsWeights()",
            ["cdist"] = "Pairwise(x, y, Distance.Euclidean)",
            ["matmul"] = "Pairwise(x, y, Similarity.Dot)",
            ["mm"] = "Pairwise(x, y, Similarity.Dot)",
            ["bmm"] = "Pairwise(tokensX, tokensY, Similarity.Dot)",
            ["eye"] = "Identity()",
            ["crossentropy"] = "CrossEntropy(logits, labels) or CrossEntropyPerSample(logits, labels)",
            ["kldiv"] = "KL(target, logInput) or KLPerSample(target, logInput)",
            ["mseloss"] = "Mse(a, b)",
            ["smoothl1loss"] = "SmoothL1(a, b, beta)",
            ["norm"] = "Norm(x) for row norms",
            ["mean"] = ".Mean(), .Mean(\"axis\") or .RowMean()",
            ["sum"] = ".Sum(), .Sum(\"axis\") or .RowSum()",
            ["detach"] = "Frozen(x)",
            ["transpose"] = ".Transposed()",
            ["t"] = ".Transposed()",
        };

        /// <summary>"; use …" naming the DSL function to use instead of <paramref name="name"/>, or "".</summary>
        public static string For(string name, Compilation compilation)
        {
            var key = name.Replace("_", "").ToLowerInvariant();
            if (Aliases.TryGetValue(key, out var alias)) return "; use " + alias;
            var dslOps = DslOperationNames(compilation);
            var same = dslOps.FirstOrDefault(n => n.ToLowerInvariant() == key);
            return same is null ? "" : $"; use the DSL's {same}";
        }

        private static IEnumerable<string> DslOperationNames(Compilation compilation)
        {
            var ns = compilation.GlobalNamespace.GetNamespaceMembers().FirstOrDefault(n => n.Name == Symbols.DslNamespace);
            if (ns is null) return Enumerable.Empty<string>();
            return ns.GetTypeMembers()
                .SelectMany(t => t.GetMembers().OfType<IMethodSymbol>())
                .Where(m => m.GetAttributes().Any(a => Symbols.Is(a.AttributeClass, "DslOpAttribute")))
                .Select(m => m.Name)
                .Distinct();
        }
    }
}
