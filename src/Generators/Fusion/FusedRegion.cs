using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>A masked pair reduction over pairwise dot products that the planner fuses. Two shapes:
    /// a row log-sum-exp, <c>out_i = log Σ_{j : graph_ij} exp(scale · ⟨x_i, y_j⟩)</c> (<see cref="Reduction"/>
    /// "LogSumExp"), and a pair sum, <c>S_i = Σ_{j : graph_ij} f(⟨x_i, y_j⟩, v_i)</c> reduced by RowSum,
    /// RowMean, Sum or Mean, with f the element-wise <see cref="Summand"/>.</summary>
    /// <param name="Root">The RowLogSumExp node the region replaces.</param>
    /// <param name="X">Node of the row operand x [N, D].</param>
    /// <param name="Y">Node of the column operand y [M, D] (equal to X for a self relation).</param>
    /// <param name="Labels">Node of the labels the graph reads, or -1 for AllPairs.</param>
    /// <param name="Graph">"AllPairs", "SameLabel" or "DifferentLabel".</param>
    /// <param name="ExcludeSelf">Whether the pairs (i, i) are dropped.</param>
    /// <param name="Scale">Number node of the scale, or -1 for scale 1.</param>
    /// <param name="ScaleIsDivisor">True when the relation was divided by the Scale node.</param>
    /// <param name="Interior">Nodes used only inside the region: the fused path never computes them.</param>
    internal sealed record FusedRegion(
        int Root, int X, int Y, int Labels, string Graph, bool ExcludeSelf,
        int Scale, bool ScaleIsDivisor, EquatableArray<int> Interior)
    {
        public const string LogSumExp = "LogSumExp";

        /// <summary>"LogSumExp", or the pair sum's reduction: "RowSum", "RowMean", "Sum" or "Mean"
        /// (the names of <c>LossDsl.Runtime.Fused.PairReduction</c>).</summary>
        public string Reduction { get; init; } = LogSumExp;

        public bool IsLogSumExp => Reduction == LogSumExp;

        /// <summary>A pair sum's f_ij over <c>PairLeaf.Dot</c>, row values (<see cref="FusionPlanner.RowValue"/>),
        /// host numbers (<see cref="FusionPlanner.Number"/>) and constants; null for a log-sum-exp.</summary>
        public PairFormula? Summand { get; init; }

        /// <summary>Vector nodes f reads at row i, in the kernel's order (<c>batch.RowValues[k]</c>).</summary>
        public EquatableArray<int> RowValues { get; init; } = EquatableArray<int>.Empty;

        /// <summary>Number nodes f reads, in the kernel's order (<c>batch.Constants[k]</c>).</summary>
        public EquatableArray<int> Numbers { get; init; } = EquatableArray<int>.Empty;

        /// <summary>Every node the fused call reads (never computed only for the unfused branch).</summary>
        public System.Collections.Generic.IEnumerable<int> Operands =>
            new[] { Root, X, Y, Labels, Scale }.Concat(RowValues).Concat(Numbers);
    }
}
