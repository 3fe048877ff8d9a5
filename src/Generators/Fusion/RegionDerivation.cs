using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Generators.Fusion
{
    /// <summary>The leaves a pair formula reads, named as the engine's <c>PairInputs&lt;T&gt;</c> fields.</summary>
    internal static class FormulaSymbols
    {
        /// <summary>The relation at the pair, s_ij = metric(x_i, y_j).</summary>
        public static readonly Symbol S = new("p.S", "s_ij", FormulaScope.Pair);

        /// <summary>The second relation, s2_ij (no gradient).</summary>
        public static readonly Symbol S2 = new("p.S2", "s2_ij", FormulaScope.Pair);

        /// <summary>Row values r0_i, r1_i.</summary>
        public static readonly Symbol[] Rows = { new("p.R0", "r0_i", FormulaScope.Row), new("p.R1", "r1_i", FormulaScope.Row) };

        /// <summary>Column values c0_j, c1_j.</summary>
        public static readonly Symbol[] Columns = { new("p.C0", "c0_j", FormulaScope.Pair), new("p.C1", "c1_j", FormulaScope.Pair) };

        /// <summary>A host number: a field of the generated struct.</summary>
        public static Symbol Number(string field) => new(field, field, FormulaScope.Call);
    }

    /// <summary>The calculus of a fused pair region, derived symbolically from its per-pair function f: the
    /// partials the engine needs (<c>PairPartials&lt;T&gt;</c>): ∂f/∂s, ∂f/∂r0_i, ∂f/∂r1_i, ∂f/∂c0_j, ∂f/∂c1_j.
    /// The engine applies the chain rule through the metric and the reduction; this class only differentiates f.</summary>
    internal sealed class RegionDerivation
    {
        public RegionDerivation(PairFormula function, int rowValues, int columnValues)
        {
            Function = function.Simplify();
            var partials = new List<(string, PairFormula)> { ("S", Function.Derivative(FormulaSymbols.S)) };
            for (var k = 0; k < rowValues; k++) partials.Add(("R" + k, Function.Derivative(FormulaSymbols.Rows[k])));
            for (var k = 0; k < columnValues; k++) partials.Add(("C" + k, Function.Derivative(FormulaSymbols.Columns[k])));
            Partials = partials;
        }

        /// <summary>The region's <see cref="FusedRegion.Formula"/>, simplified.</summary>
        public static RegionDerivation For(FusedRegion region) =>
            new(region.Formula!, region.RowValues.Count, region.ColumnValues.Count);

        /// <summary>f over the leaves (<see cref="FormulaSymbols"/>) and host numbers.</summary>
        public PairFormula Function { get; }

        /// <summary>Each <c>PairPartials</c> field (S, R0, …) with ∂f/∂leaf; zero partials are kept (the engine
        /// skips nothing by itself, and a zero is free to write).</summary>
        public IReadOnlyList<(string Field, PairFormula Derivative)> Partials { get; }

        /// <summary>Whether f reads the second relation.</summary>
        public bool ReadsSecondRelation => Function.Atoms().Contains(FormulaSymbols.S2);
    }
}
