using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>What a fused region computes.</summary>
    internal enum RegionShape
    {
        /// <summary><c>reduce_j f(s_ij, …)</c> over the kept pairs of a graph: one call of the runtime's pairwise
        /// engine with a generated formula struct.</summary>
        Pairs,
        /// <summary>RKD's angle loss, <c>smoothL1(Angles(a), Angles(sg b))</c>, in O(N²) memory
        /// (<c>RkdAngleFunction</c>).</summary>
        RkdAngle,
        /// <summary>RKD's distance loss, <c>smoothL1(MeanNormalized(d(a)), MeanNormalized(d(sg b)))</c> over all pairs,
        /// in O(N·D) memory (<c>RkdDistanceFunction</c>: three engine passes).</summary>
        RkdDistance,
        /// <summary>The all-triplets margin loss, <c>mean_{&gt;0} relu(d_ap − d_an + m)</c> over
        /// (a, p) ∈ SameLabel∖self, (a, n) ∈ DifferentLabel, without the N³ tensor (<c>TripletMarginFunction</c>).</summary>
        TripletMargin,
        /// <summary><c>HasAny(G)</c> of a label graph, from label counts in O(N + M) (<c>GraphRows.HasAny</c>), without
        /// the N×M mask.</summary>
        GraphHasAny,
    }

    /// <summary>A host number a formula reads, as a field of the generated struct.</summary>
    /// <param name="Node">The number node.</param>
    /// <param name="Field">The field's name (the hyper-parameter's name where the number is one).</param>
    internal sealed record NumberField(int Node, string Field);

    /// <summary>A part of a loss the generator computes with the runtime's fused kernels instead of N×M (or N³)
    /// tensors. For <see cref="RegionShape.Pairs"/>:
    /// <code>out = reduce_{j : (i, j) ∈ G} f(s_ij, s2_ij, r_i, c_j)</code>
    /// with <c>s_ij = metric(x_i, y_j)</c>, f the element-wise <see cref="Formula"/>, and the engine's reduction
    /// (<see cref="Reduce"/>) and output (<see cref="Output"/>).</summary>
    /// <param name="Root">The node the region replaces.</param>
    /// <param name="Shape">What the region computes.</param>
    /// <param name="Interior">Nodes used only inside the region: the fused path never computes them.</param>
    internal sealed record FusedRegion(int Root, RegionShape Shape, EquatableArray<int> Interior)
    {
        /// <summary>The engine's reduction: "Sum", "LogSumExp", "Max" or "Min" (a <c>…Reduce</c> struct).</summary>
        public string Reduce { get; init; } = "Sum";

        /// <summary>The engine's output (<c>PairOutput</c>): "Rows", "RowMean", "Sum", "Mean" or "MeanNonZero".</summary>
        public string Output { get; init; } = "Rows";

        /// <summary>Node of the row operand x [N, D] (for patterns: the first operand).</summary>
        public int X { get; init; } = -1;

        /// <summary>Node of the column operand y [M, D], or -1 for a self relation (x against itself).</summary>
        public int Y { get; init; } = -1;

        /// <summary>The relation's metric.</summary>
        public Metric Metric { get; init; }

        /// <summary>The graph: "AllPairs", "SameLabel", "DifferentLabel" or "OtherView".</summary>
        public string Graph { get; init; } = "AllPairs";

        /// <summary>Whether the pairs (i, i) are dropped.</summary>
        public bool ExcludeSelf { get; init; }

        /// <summary>Node of the row labels the graph reads, or -1.</summary>
        public int RowLabels { get; init; } = -1;

        /// <summary>Node of the column labels, or -1 (the row labels).</summary>
        public int ColumnLabels { get; init; } = -1;

        /// <summary>A <c>ClassOf(y)</c> node [N, C] whose class ids 0 … C−1 are the row labels (a graph of classes
        /// against samples, Proxy-Anchor's), or -1; the node itself is not read.</summary>
        public int RowClassOf { get; init; } = -1;

        /// <summary>A <c>ClassOf(y)</c> node whose class ids are the column labels, or -1.</summary>
        public int ColumnClassOf { get; init; } = -1;

        /// <summary>f over <see cref="FormulaSymbols"/>; null for the patterns.</summary>
        public PairFormula? Formula { get; init; }

        /// <summary>Nodes read per row (r0_i, r1_i): vectors aligned with the rows, or 0-d values broadcast.</summary>
        public EquatableArray<int> RowValues { get; init; } = EquatableArray<int>.Empty;

        /// <summary>Nodes read per column (c0_j, c1_j).</summary>
        public EquatableArray<int> ColumnValues { get; init; } = EquatableArray<int>.Empty;

        /// <summary>The host numbers f reads.</summary>
        public EquatableArray<NumberField> Numbers { get; init; } = EquatableArray<NumberField>.Empty;

        /// <summary>The second relation s2_ij = metric2(x2_i, y2_j), which receives no gradient (RKD's teacher
        /// distances): its row operand, or -1 when f reads none.</summary>
        public int X2 { get; init; } = -1;

        /// <summary>The second relation's column operand, or -1 (a self relation).</summary>
        public int Y2 { get; init; } = -1;

        /// <summary>The second relation's metric.</summary>
        public Metric Metric2 { get; init; }

        /// <summary>Pattern operands after <see cref="X"/>: RKD angle's teacher; the triplet loss's labels and margin;
        /// the graph of <see cref="RegionShape.GraphHasAny"/> (whose sizes it reads).</summary>
        public EquatableArray<int> PatternArgs { get; init; } = EquatableArray<int>.Empty;

        /// <summary>Every node the fused call reads (never computed only for the unfused branch).</summary>
        public IEnumerable<int> Operands =>
            new[] { Root, X, Y, RowLabels, ColumnLabels, X2, Y2 }.Where(id => id >= 0)
                .Concat(RowValues).Concat(ColumnValues).Concat(Numbers.Select(n => n.Node))
                .Concat(Shape == RegionShape.GraphHasAny ? Enumerable.Empty<int>() : PatternArgs);   // HasAny reads only the graph's sizes
    }
}
