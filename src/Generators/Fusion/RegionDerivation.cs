using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Generators.Fusion
{
    /// <summary>One term of a row gradient: <c>∂L/∂x_i = Σ_j g_i · p_ij · Coefficient · Operand</c> (and
    /// likewise for y_j), where Operand is x_i or y_j.</summary>
    internal sealed record GradientTerm(PairFormula Coefficient, RowOperand Operand);

    /// <summary>The calculus of a fused log-sum-exp region, derived symbolically from its per-pair
    /// function: <c>out_i = log Σ_{j ∈ G(i)} exp(f_ij)</c> with <c>f_ij</c> a formula over pair leaves
    /// (⟨x_i, y_j⟩, …) and call constants (the scale s). The kernel emitter prints what this derives.</summary>
    internal sealed class RegionDerivation
    {
        public static readonly Symbol Scale = new("scale", "s", FormulaScope.Call);
        public static readonly Symbol F = new("f", "f_ij", FormulaScope.Pair);
        public static readonly Symbol P = new("p", "p_ij", FormulaScope.Pair);
        public static readonly Symbol Out = new("outi", "out_i", FormulaScope.Row);
        public static readonly Symbol Grad = new("gi", "g_i", FormulaScope.Row);

        // A self relation's one-pass backward also visits each pair as (j, i): row j's output and gradient.
        public static readonly Symbol OutJ = new("outj", "out_j", FormulaScope.Pair);
        public static readonly Symbol GradJ = new("gj", "g_j", FormulaScope.Pair);
        public static readonly Symbol Q = new("q", "p_ji", FormulaScope.Pair);

        public RegionDerivation(PairFormula function)
        {
            Function = function;
            Leaves = function.Atoms().OfType<PairLeaf>().Distinct().ToList();
            LeafDerivatives = Leaves.Select(l => (l, function.Derivative(l))).ToList();

            // out_i = log Σ_j exp(f_ij)  ⇒  ∂out_i/∂f_ij = (exp f)'(f_ij) / Σ_j exp(f_ij) = (exp f)'(f_ij) / exp(out_i)
            var summand = PairFormula.Exp(F);
            ReductionWeight = (summand.Derivative(F) / PairFormula.Exp(Out)).Simplify();

            GradX = Collect(RowOperand.X);
            GradY = Collect(RowOperand.Y);
            // f and every leaf are symmetric (f_ji = f_ij), so p_ji is p_ij with row j's output.
            TransposedWeight = Transpose(ReductionWeight);
        }

        /// <summary><c>p_ji = ∂out_j/∂f_ji</c> in terms of f_ij and out_j (the leaves are symmetric).</summary>
        public PairFormula TransposedWeight { get; }

        /// <summary>A formula of pair (i, j) read at pair (j, i): row i's symbols become row j's.</summary>
        public static PairFormula Transpose(PairFormula formula) =>
            formula.Substitute(a => a == Out ? OutJ : a == Grad ? GradJ : a == P ? Q : null).Simplify();

        /// <summary>A region's per-pair function: <c>f_ij = s · ⟨x_i, y_j⟩</c>, or <c>⟨x_i, y_j⟩</c>
        /// without a scale. (The scale passed to the kernel is the multiplier: a region written
        /// <c>R / T</c> receives <c>s = 1 / T</c>.)</summary>
        public static RegionDerivation For(FusedRegion region) =>
            new(region.Scale < 0 ? PairLeaf.Dot : Scale * PairLeaf.Dot);

        /// <summary>f_ij over the leaves and the scale.</summary>
        public PairFormula Function { get; }

        /// <summary>The pair quantities f reads (each computed once per pair by a PairMath primitive).</summary>
        public IReadOnlyList<PairLeaf> Leaves { get; }

        /// <summary>∂f_ij/∂leaf for each leaf.</summary>
        public IReadOnlyList<(PairLeaf Leaf, PairFormula Derivative)> LeafDerivatives { get; }

        /// <summary>∂out_i/∂f_ij in terms of f_ij and out_i: the softmax weight <c>p_ij = exp(f_ij − out_i)</c>.</summary>
        public PairFormula ReductionWeight { get; }

        /// <summary>∂L/∂x_i = Σ_j g_i · p_ij · Σ_terms Coefficient · Operand.</summary>
        public IReadOnlyList<GradientTerm> GradX { get; }

        /// <summary>∂L/∂y_j = Σ_i g_i · p_ij · Σ_terms Coefficient · Operand.</summary>
        public IReadOnlyList<GradientTerm> GradY { get; }

        /// <summary>Chain rule through the leaves: ∂f/∂row = Σ_leaf ∂f/∂leaf · ∂leaf/∂row, grouped by
        /// the row vector each term multiplies.</summary>
        private List<GradientTerm> Collect(RowOperand wrt)
        {
            var terms = new List<GradientTerm>();
            foreach (var operand in new[] { RowOperand.X, RowOperand.Y })
            {
                PairFormula coefficient = PairFormula.Zero;
                foreach (var (leaf, derivative) in LeafDerivatives)
                    foreach (var partial in leaf.PartialWrt(wrt).Where(p => p.Operand == operand))
                        coefficient = coefficient + derivative * partial.Coefficient;
                coefficient = coefficient.Simplify();
                if (!coefficient.IsZero) terms.Add(new GradientTerm(coefficient, operand));
            }
            return terms;
        }
    }
}
