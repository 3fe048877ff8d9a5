using System.Collections.Generic;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>Reductions over triples that the pair engine cannot express, each with a runtime kernel of its own:
    /// <list type="bullet">
    /// <item>RKD's angle loss, <c>SmoothL1(Angles(a), Angles(b), β = 1)</c> with b gradient-free
    /// (<c>RkdAngleFunction</c>: Gram matrices, O(N²) memory instead of two N³ tensors);</item>
    /// <item>the all-triplets margin loss, <c>MeanNonZero(Relu(Pairwise(x, Euclidean).Triplets(SameLabel(y).ExcludeSelf(),
    /// DifferentLabel(y)) + m))</c> (<c>TripletMarginFunction</c>: O(N²) time per anchor with sorting, no N³ tensor).</item>
    /// <item>whether each row of a label graph has a pair, <c>HasAny(G)</c>, from label counts.</item>
    /// </list></summary>
    internal static class FusionPatterns
    {
        public static FusedRegion? Match(LossIr ir, IrTypes types, IrNode root, List<int> members) => root.Op switch
        {
            OpCode.SmoothL1 => RkdAngle(ir, types, root, members),
            OpCode.MeanNonZero => TripletMargin(ir, types, root, members),
            OpCode.HasAny => GraphHasAny(ir, types, root, members),
            _ => null,
        };

        /// <summary><c>HasAny(G)</c> with G a graph the kernels have a mask for (Nca's and Circle's "anchors with a
        /// positive").</summary>
        private static FusedRegion? GraphHasAny(LossIr ir, IrTypes types, IrNode root, List<int> members)
        {
            if (root.Attr is not null || types.Rank(root.Args[0]) != 2) return null;
            var graph = FusionPlanner.MatchGraph(ir, ir.Nodes[root.Args[0]], members);
            if (graph is null) return null;
            return new FusedRegion(root.Id, RegionShape.GraphHasAny, EquatableArray<int>.Empty)
            {
                Graph = graph.Kind,
                ExcludeSelf = graph.ExcludeSelf,
                RowLabels = graph.RowLabels,
                ColumnLabels = graph.ColumnLabels,
                PatternArgs = new[] { root.Args[0] }.ToEquatableArray(),
            };
        }

        private static FusedRegion? RkdAngle(LossIr ir, IrTypes types, IrNode root, List<int> members)
        {
            if (root.Args.Count != 3) return null;
            IrNode student = ir.Nodes[root.Args[0]], teacher = ir.Nodes[root.Args[1]], beta = ir.Nodes[root.Args[2]];
            if (student.Op != OpCode.Angles || teacher.Op != OpCode.Angles) return null;
            if (beta.Op != OpCode.Const || beta.Number != 1.0) return null;
            if (!FusionPlanner.IsGradientFree(ir, teacher.Id) || types.Rank(student.Args[0]) != 2 || types.Rank(teacher.Args[0]) != 2) return null;
            members.Add(student.Id);
            members.Add(teacher.Id);
            return new FusedRegion(root.Id, RegionShape.RkdAngle, EquatableArray<int>.Empty)
            {
                X = student.Args[0],
                PatternArgs = new[] { teacher.Args[0] }.ToEquatableArray(),
            };
        }

        private static FusedRegion? TripletMargin(LossIr ir, IrTypes types, IrNode root, List<int> members)
        {
            if (root.Attr is not null) return null;
            var relu = ir.Nodes[root.Args[0]];
            if (relu.Op != OpCode.Relu) return null;
            var add = ir.Nodes[relu.Args[0]];
            if (add.Op != OpCode.Add) return null;
            IrNode triplets = ir.Nodes[add.Args[0]], margin = ir.Nodes[add.Args[1]];
            if (triplets.Op != OpCode.Triplets) (triplets, margin) = (margin, triplets);
            if (triplets.Op != OpCode.Triplets || margin.Kind != ValueKind.Number) return null;
            var distances = ir.Nodes[triplets.Args[0]];
            if (distances.Op != OpCode.Pairwise || distances.Metric != Metric.Euclidean || distances.Args[0] != distances.Args[1]) return null;
            if (types.Rank(distances.Args[0]) != 2) return null;
            // Positives: SameLabel(y) without the anchor itself; negatives: DifferentLabel(y), the same labels.
            var positives = ir.Nodes[triplets.Args[1]];
            if (positives.Op != OpCode.ExcludeSelf) return null;
            var same = ir.Nodes[positives.Args[0]];
            var different = ir.Nodes[triplets.Args[2]];
            if (same.Op != OpCode.SameLabel || different.Op != OpCode.DifferentLabel) return null;
            if (!OneLabelVector(same, out var labels) || !OneLabelVector(different, out var labels2) || labels != labels2) return null;
            members.AddRange(new[] { relu.Id, add.Id, triplets.Id, distances.Id, positives.Id, same.Id, different.Id });
            return new FusedRegion(root.Id, RegionShape.TripletMargin, EquatableArray<int>.Empty)
            {
                X = distances.Args[0],
                Metric = Metric.Euclidean,
                PatternArgs = new[] { labels, margin.Id }.ToEquatableArray(),
            };
        }

        private static bool OneLabelVector(IrNode graph, out int labels)
        {
            labels = graph.Args[0];
            return graph.Args.Count == 1 || graph.Args[1] == graph.Args[0];
        }
    }
}
