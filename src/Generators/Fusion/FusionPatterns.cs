using System.Collections.Generic;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>Reductions over triples that the pair engine cannot express, each with a runtime kernel of its own:
    /// <list type="bullet">
    /// <item>RKD's angle loss, <c>SmoothL1(Angles(a), Angles(b), β = 1)</c> with b gradient-free
    /// (<c>RkdAngleFunction</c>: Gram matrices, O(N²) memory instead of two N³ tensors);</item>
    /// <item>RKD's distance loss, <c>SmoothL1(MeanNormalized(Pairwise(a, d)), MeanNormalized(Pairwise(b, d)), β = 1)</c>
    /// with d Euclidean or squared Euclidean and b gradient-free (<c>RkdDistanceFunction</c>: three engine passes,
    /// no N×N tensor);</item>
    /// <item>the all-triplets margin loss, <c>MeanNonZero(Relu(Pairwise(x, Euclidean).Triplets(SameLabel(y).ExcludeSelf(),
    /// DifferentLabel(y)) + m))</c> (<c>TripletMarginFunction</c>: O(N²) time per anchor with sorting, no N³ tensor).</item>
    /// <item>whether each row of a label graph has a pair, <c>HasAny(G)</c>, from label counts.</item>
    /// </list></summary>
    internal static class FusionPatterns
    {
        public static FusedRegion? Match(LossIr ir, IrTypes types, IrNode root, List<int> members) => root.Op switch
        {
            OpCode.SmoothL1 => RkdAngle(ir, types, root, members) ?? RkdDistance(ir, types, root, members),
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
                RowClassOf = graph.RowClassOf,
                ColumnClassOf = graph.ColumnClassOf,
                PatternArgs = new[] { root.Args[0] }.ToEquatableArray(),
            };
        }

        /// <summary>RepDistiller's comparison, <c>SmoothL1(student, teacher, β = 1)</c> with a gradient-free teacher side
        /// (the runtime kernels have β = 1 built in and give the teacher no gradient).</summary>
        private static bool SmoothL1AgainstTeacher(LossIr ir, IrNode root, out IrNode student, out IrNode teacher)
        {
            student = teacher = root;
            if (root.Args.Count != 3) return false;
            var beta = ir.Nodes[root.Args[2]];
            if (beta.Op != OpCode.Const || beta.Number != 1.0) return false;
            (student, teacher) = (ir.Nodes[root.Args[0]], ir.Nodes[root.Args[1]]);
            return FusionPlanner.IsGradientFree(ir, teacher.Id);
        }

        private static FusedRegion? RkdAngle(LossIr ir, IrTypes types, IrNode root, List<int> members)
        {
            if (!SmoothL1AgainstTeacher(ir, root, out var student, out var teacher)) return null;
            if (student.Op != OpCode.Angles || teacher.Op != OpCode.Angles) return null;
            if (types.Rank(student.Args[0]) != 2 || types.Rank(teacher.Args[0]) != 2) return null;
            members.Add(student.Id);
            members.Add(teacher.Id);
            return new FusedRegion(root.Id, RegionShape.RkdAngle, EquatableArray<int>.Empty)
            {
                X = student.Args[0],
                PatternArgs = new[] { teacher.Args[0] }.ToEquatableArray(),
            };
        }

        private static FusedRegion? RkdDistance(LossIr ir, IrTypes types, IrNode root, List<int> members)
        {
            if (!SmoothL1AgainstTeacher(ir, root, out var student, out var teacher)) return null;
            if (student.Op != OpCode.MeanNormalized || teacher.Op != OpCode.MeanNormalized) return null;
            IrNode studentDistances = ir.Nodes[student.Args[0]], teacherDistances = ir.Nodes[teacher.Args[0]];
            if (!SelfDistances(types, studentDistances) || !SelfDistances(types, teacherDistances)) return null;
            // One metric for both sides: the engine's second relation shares the pass.
            if (studentDistances.Metric != teacherDistances.Metric) return null;
            members.AddRange(new[] { student.Id, studentDistances.Id, teacher.Id, teacherDistances.Id });
            return new FusedRegion(root.Id, RegionShape.RkdDistance, EquatableArray<int>.Empty)
            {
                X = studentDistances.Args[0],
                Metric = studentDistances.Metric,
                PatternArgs = new[] { teacherDistances.Args[0] }.ToEquatableArray(),
            };
        }

        /// <summary>Distances of a matrix's rows among themselves (never negative, so the mean of the positive ones
        /// is the engine's mean over non-zero pairs).</summary>
        private static bool SelfDistances(IrTypes types, IrNode node) =>
            node.Op == OpCode.Pairwise && node.Metric is (Metric.Euclidean or Metric.SqEuclidean)
            && node.Args.Count == 2 && node.Args[0] == node.Args[1] && types.Rank(node.Args[0]) == 2;

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
