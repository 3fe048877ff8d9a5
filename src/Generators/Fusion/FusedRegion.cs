using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>A masked row log-sum-exp over scaled pairwise dot products that the planner fuses:
    /// <c>out_i = log Σ_{j : graph_ij} exp(scale · ⟨x_i, y_j⟩)</c>.</summary>
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
        int Scale, bool ScaleIsDivisor, EquatableArray<int> Interior);
}
