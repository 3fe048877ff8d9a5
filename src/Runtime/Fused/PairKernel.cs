using System;

namespace LossDsl.Runtime.Fused
{
    /// <summary>Which pairs a fused reduction visits, as the kernel needs its inputs checked.</summary>
    /// <param name="NeedsLabels">The graph compares labels (SameLabel / DifferentLabel).</param>
    /// <param name="ExcludesSelf">The pairs (i, i) are dropped.</param>
    public readonly record struct PairGraph(bool NeedsLabels, bool ExcludesSelf)
    {
        /// <summary>Labels and the diagonal only make sense when rows and columns are the same batch.</summary>
        public bool NeedsSquare => NeedsLabels || ExcludesSelf;
    }

    /// <summary>The operands of one fused call, read off the tensors as row-major double arrays
    /// (float32 inputs are widened, so every kernel accumulates in double).</summary>
    public sealed class PairBatch
    {
        public PairBatch(int n, int m, int d, double[] x, double[] y, long[]? labels, double scale)
        {
            N = n;
            M = m;
            D = d;
            X = x;
            Y = y;
            Labels = labels;
            Scale = scale;
        }

        /// <summary>A batch that also carries per-row values and host numbers (a fused pair sum's operands).</summary>
        public PairBatch(int n, int m, int d, double[] x, double[] y, long[]? labels, double[][] rowValues, double[] constants)
            : this(n, m, d, x, y, labels, 1.0)
        {
            RowValues = rowValues;
            Constants = constants;
        }

        /// <summary>Per-row values v_k [N] that a pair sum's formula reads at row i (and j, for a self relation).</summary>
        public double[][] RowValues { get; } = Array.Empty<double[]>();

        /// <summary>The host numbers a pair sum's formula reads, in the kernel's order.</summary>
        public double[] Constants { get; } = Array.Empty<double>();

        /// <summary>Rows of x (the output has one value per row).</summary>
        public int N { get; }

        /// <summary>Rows of y (the reduction runs over them).</summary>
        public int M { get; }

        /// <summary>Features per row.</summary>
        public int D { get; }

        /// <summary>x as [N, D], row-major.</summary>
        public double[] X { get; }

        /// <summary>y as [M, D], row-major; the same array as <see cref="X"/> for a self relation.</summary>
        public double[] Y { get; }

        /// <summary>Labels [N] (int64 or int32 widened), or null when the graph reads none.</summary>
        public long[]? Labels { get; }

        /// <summary>The value of the region's scale node (1 when it has none).</summary>
        public double Scale { get; }

        /// <summary>Row <paramref name="i"/> of x.</summary>
        public ReadOnlySpan<double> XRow(int i) => new(X, i * D, D);

        /// <summary>Row <paramref name="j"/> of y.</summary>
        public ReadOnlySpan<double> YRow(int j) => new(Y, j * D, D);
    }

    /// <summary>A generated fused kernel: <c>out_i = reduce_{j : graph_ij} f(x_i, y_j)</c> and the
    /// backward reductions of its gradient. The generator emits one implementation per fused
    /// region (a nested <c>__FusedRegion{k}</c> class); <see cref="FusedPairFunction"/> wraps it in a
    /// TorchSharp autograd function. Every method writes only O(N·D + M·D) memory.</summary>
    public interface IFusedPairKernel
    {
        /// <summary>The region's formula, for error messages.</summary>
        string Formula { get; }

        /// <summary>Which pairs the reduction visits.</summary>
        PairGraph Graph { get; }

        /// <summary>Writes <c>out_i</c> for every row i into <paramref name="output"/> [N].</summary>
        void Forward(PairBatch batch, double[] output);

        /// <summary>Adds <c>Σ_j g_i ∂out_i/∂x_i</c> into <paramref name="dx"/> [N, D], given the forward
        /// output and the incoming gradient <paramref name="grad"/> [N].</summary>
        void BackwardX(PairBatch batch, double[] output, double[] grad, double[] dx);

        /// <summary>Adds <c>Σ_i g_i ∂out_i/∂y_j</c> into <paramref name="dy"/> [M, D].</summary>
        void BackwardY(PairBatch batch, double[] output, double[] grad, double[] dy);

        /// <summary>For one tensor as both x and y: adds both contributions into <paramref name="dx"/> [N, D]
        /// in one pass (what <see cref="BackwardX"/> and <see cref="BackwardY"/> add together).</summary>
        void BackwardSelf(PairBatch batch, double[] output, double[] grad, double[] dx);
    }

    /// <summary>A generated fused masked pair sum: <c>S_i = Σ_{j : graph_ij} f(⟨x_i, y_j⟩, v_i)</c> with its
    /// pair count <c>c_i</c>; <see cref="FusedPairSumFunction"/> turns them into a row sum, row mean, sum or
    /// mean and hands the kernel one weight per row, <c>w_i = ∂L/∂S_i</c>, for the backward passes. Every
    /// method writes only O(N·D + M·D) memory.</summary>
    public interface IFusedPairSumKernel
    {
        /// <summary>The region's formula, for error messages.</summary>
        string Formula { get; }

        /// <summary>Which pairs the reduction visits.</summary>
        PairGraph Graph { get; }

        /// <summary>Writes <c>S_i</c> into <paramref name="sums"/> [N] and the pair count into <paramref name="counts"/> [N].</summary>
        void Forward(PairBatch batch, double[] sums, double[] counts);

        /// <summary>Adds <c>Σ_j w_i ∂f_ij/∂x_i</c> into <paramref name="dx"/> [N, D] and
        /// <c>Σ_j w_i ∂f_ij/∂v_k,i</c> into <c>dv[k]</c> [N].</summary>
        void BackwardX(PairBatch batch, double[] weight, double[] dx, double[][] dv);

        /// <summary>Adds <c>Σ_i w_i ∂f_ij/∂y_j</c> into <paramref name="dy"/> [M, D].</summary>
        void BackwardY(PairBatch batch, double[] weight, double[] dy);

        /// <summary>For one tensor as both x and y: both contributions into <paramref name="dx"/>, and the row
        /// values' gradients into <paramref name="dv"/>, in one pass.</summary>
        void BackwardSelf(PairBatch batch, double[] weight, double[] dx, double[][] dv);
    }
}
