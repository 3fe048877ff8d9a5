extern alias LossDslGenerator;
using System.Linq;
using LossDslGenerator::LossDsl.Generators.Fusion;
using LossDsl.Ir;
using static LossDsl.Dsl;

namespace LossDsl.Tests.Fusion;

/// <summary>The planner on IR built from DSL expressions: which row log-sum-exps it fuses, what it
/// records about them, and which nodes the fused path may skip.</summary>
public class FusionPlannerTests
{
    private static LossIr Build(params Real[] terms)
    {
        var builder = new IrBuilder();
        for (var k = 0; k < terms.Length; k++) builder.AddTerm("T" + k, 1.0, terms[k].Expr, "Test.cs:" + k);
        return builder.Build();
    }

    private static IrNode Node(LossIr ir, OpCode op) => ir.Nodes.Single(n => n.Op == op);

    [Fact]
    public void NtXentDenominator_IsOneRegion_AndAllItsNodesAreInterior()
    {
        var z = Embeddings.Input("z");
        var y = Labels.Input("y");
        var ir = Build((Pairwise(Normalize(z), Similarity.Dot) / 0.1).Over(DifferentLabel(y)).LogSumExp().Mean());

        var region = Assert.Single(FusionPlanner.Plan(GeneratorIr.From(ir)));
        var normalize = Node(ir, OpCode.Normalize);
        Assert.Equal(Node(ir, OpCode.RowLogSumExp).Id, region.Root);
        Assert.Equal(normalize.Id, region.X);
        Assert.Equal(normalize.Id, region.Y);
        Assert.Equal(ir.Nodes.Single(n => n.Op == OpCode.Input && n.Name == "y").Id, region.Labels);
        Assert.Equal(FusionPlanner.DifferentLabel, region.Graph);
        Assert.False(region.ExcludeSelf);
        Assert.Equal(0.1, ir.Nodes[region.Scale].Number);
        Assert.Equal(ValueKind.Number, ir.Nodes[region.Scale].Kind);
        Assert.True(region.ScaleIsDivisor);
        var expected = new[] { OpCode.Pairwise, OpCode.Div, OpCode.DifferentLabel, OpCode.Over }
            .Select(op => Node(ir, op).Id).OrderBy(i => i);
        Assert.Equal(expected, region.Interior);
    }

    // SupCon reads the scaled relation again outside the log-sum-exp: those nodes must stay computed.
    [Fact]
    public void SupConDenominator_KeepsTheSharedRelationOutOfTheInterior()
    {
        var z = Embeddings.Input("z");
        var y = Labels.Input("y");
        var s = Pairwise(Normalize(z), Similarity.Dot) / 0.1;
        var ir = Build((s.Over(AllPairs().ExcludeSelf()).LogSumExp() - s).Over(SameLabel(y).ExcludeSelf()).Mean().MeanNonZero());

        var regions = FusionPlanner.Plan(GeneratorIr.From(ir));
        Assert.Equal(2, regions.Count);
        var region = Assert.Single(regions, r => r.IsLogSumExp);
        Assert.Equal(FusionPlanner.AllPairs, region.Graph);
        Assert.True(region.ExcludeSelf);
        Assert.Equal(-1, region.Labels);
        var lseOver = ir.Nodes[ir.Nodes[region.Root].Args[0]];
        var allPairs = Node(ir, OpCode.AllPairs);
        var excluded = ir.Nodes[lseOver.Args[1]];
        Assert.Equal(new[] { allPairs.Id, excluded.Id, lseOver.Id }.OrderBy(i => i), region.Interior);
        Assert.DoesNotContain(Node(ir, OpCode.Pairwise).Id, region.Interior);
        Assert.DoesNotContain(Node(ir, OpCode.Div).Id, region.Interior);

        // The positive term is a pair sum reading the log-sum-exp as a row value: (lse_i − s_ij) row-meaned.
        var positives = Assert.Single(regions, r => !r.IsLogSumExp);
        Assert.Equal("RowMean", positives.Reduction);
        Assert.Equal(new[] { region.Root }, positives.RowValues);
        Assert.Empty(positives.Numbers);
        Assert.Equal(FusionPlanner.RowValue(region.Root) - PairLeaf.Dot / PairFormula.Const(0.1), positives.Summand);
        Assert.Equal((FusionPlanner.SameLabel, true), (positives.Graph, positives.ExcludeSelf));
        Assert.Equal(Node(ir, OpCode.Normalize).Id, positives.X);
        // Both regions read the relation, so neither may skip it; each skips its own graph and Over.
        Assert.DoesNotContain(Node(ir, OpCode.Pairwise).Id, positives.Interior);
        Assert.DoesNotContain(Node(ir, OpCode.Div).Id, positives.Interior);
        Assert.Contains(Node(ir, OpCode.SameLabel).Id, positives.Interior);
        Assert.Contains(Node(ir, OpCode.Sub).Id, positives.Interior);
    }

    // NT-Xent's positive term: softplus(lse_i − ⟨x_i, x_j⟩ / T) over positives, mean over pairs; T a hyper.
    [Fact]
    public void NtXentPositives_AreAPairSum_WithTheLogSumExpAsARowValue_AndTheHyperAsANumber()
    {
        var z = Embeddings.Input("z");
        var y = Labels.Input("y");
        var pairwise = Pairwise(Normalize(z), Similarity.Dot).Expr;
        var s = Expr.Of(OpCode.Div, ValueKind.Relation, pairwise, Expr.Hyper("T", NumericType.Double));
        var lse = Expr.Of(OpCode.RowLogSumExp, ValueKind.Vector, Expr.Of(OpCode.Over, ValueKind.Masked, s, DifferentLabel(y).Expr));
        var f = Expr.Of(OpCode.Softplus, ValueKind.Relation, Expr.Of(OpCode.Sub, ValueKind.Relation, lse, s));
        var over = Expr.Of(OpCode.Over, ValueKind.Masked, f, SameLabel(y).ExcludeSelf().Expr);
        var builder = new IrBuilder();
        builder.AddTerm("T", 1, Expr.Of(OpCode.Mean, ValueKind.Real, over), "Test.cs:1");
        var ir = builder.Build();

        var regions = FusionPlanner.Plan(GeneratorIr.From(ir));
        Assert.Equal(2, regions.Count);
        var sum = regions[1];
        Assert.Equal("Mean", sum.Reduction);
        var hyper = Node(ir, OpCode.Hyper);
        Assert.Equal(new[] { hyper.Id }, sum.Numbers);
        Assert.Equal(new[] { regions[0].Root }, sum.RowValues);
        var expected = PairFormula.Apply(UnaryOp.Softplus, FusionPlanner.RowValue(regions[0].Root) - PairLeaf.Dot / FusionPlanner.Number(0, "T"));
        Assert.Equal(expected, sum.Summand);
        // With the pair sum fused, the relation is read only inside regions: each region's interior
        // excludes it (it is shared), and the emitter computes it only when fusion is off.
        Assert.All(regions, r => Assert.DoesNotContain(Node(ir, OpCode.Pairwise).Id, r.Interior));
    }

    [Fact]
    public void PairSums_RowSumAndSum_WithNumbersAndUnaries()
    {
        var z = Embeddings.Input("z");
        var w = Embeddings.Input("w");
        var y = Labels.Input("y");
        var ir = Build(
            Relu(0.5 - Pairwise(z, w, Similarity.Dot)).Over(AllPairs()).Sum().Mean(),
            Square(Pairwise(z, Similarity.Dot)).Over(DifferentLabel(y)).SumOverPairs());
        var regions = FusionPlanner.Plan(GeneratorIr.From(ir));
        Assert.Equal(2, regions.Count);
        Assert.Equal(("RowSum", "Sum"), (regions[0].Reduction, regions[1].Reduction));
        Assert.Equal(PairFormula.Apply(UnaryOp.Relu, PairFormula.Const(0.5) - PairLeaf.Dot), regions[0].Summand);
        Assert.NotEqual(regions[0].X, regions[0].Y);
        Assert.Equal(PairFormula.Apply(UnaryOp.Square, PairLeaf.Dot), regions[1].Summand);
        Assert.Equal(regions[1].X, regions[1].Y);
    }

    [Fact]
    public void PairSums_OfOtherShapes_AreNotFused()
    {
        var z = Embeddings.Input("z");
        var w = Embeddings.Input("w");
        var y = Labels.Input("y");
        var t = Real.Input("t");
        var dot = Pairwise(z, Similarity.Dot);
        var ir = Build(
            Pairwise(z, Similarity.Cosine).Over(DifferentLabel(y)).SumOverPairs(),                // another metric
            (dot * t).Over(AllPairs()).SumOverPairs(),                                          // a tensor scalar
            (dot + Pairwise(w, Similarity.Dot)).Over(AllPairs()).SumOverPairs(),                      // two relations
            dot.Over(AllPairs()).Max().Mean());                                             // another reduction
        Assert.Empty(FusionPlanner.Plan(GeneratorIr.From(ir)));
    }

    [Fact]
    public void ScaleOnEitherSide_AndTwoOperands_AndNoScale()
    {
        var a = Embeddings.Input("a");
        var b = Embeddings.Input("b");
        var y = Labels.Input("y");
        var ir = Build(
            (0.5 * Pairwise(a, b, Similarity.Dot)).Over(SameLabel(y).ExcludeSelf()).LogSumExp().Mean(),
            (Pairwise(b, a, Similarity.Dot) * 3.0).Over(AllPairs()).LogSumExp().Sum(),
            Pairwise(a, Similarity.Dot).Over(DifferentLabel(y).ExcludeSelf()).LogSumExp().Mean());

        var regions = FusionPlanner.Plan(GeneratorIr.From(ir));
        Assert.Equal(3, regions.Count);
        Assert.True(regions.Select(r => r.Root).SequenceEqual(regions.Select(r => r.Root).OrderBy(i => i)));

        int Input(string name) => ir.Nodes.Single(n => n.Op == OpCode.Input && n.Name == name).Id;
        var left = regions[0];
        Assert.Equal((Input("a"), Input("b")), (left.X, left.Y));
        Assert.Equal(0.5, ir.Nodes[left.Scale].Number);
        Assert.False(left.ScaleIsDivisor);
        Assert.Equal((FusionPlanner.SameLabel, true), (left.Graph, left.ExcludeSelf));

        var right = regions[1];
        Assert.Equal((Input("b"), Input("a")), (right.X, right.Y));
        Assert.Equal(3.0, ir.Nodes[right.Scale].Number);
        Assert.Equal((FusionPlanner.AllPairs, false, -1), (right.Graph, right.ExcludeSelf, right.Labels));

        var plain = regions[2];
        Assert.Equal(-1, plain.Scale);
        Assert.Equal(plain.X, plain.Y);
        Assert.Equal((FusionPlanner.DifferentLabel, true), (plain.Graph, plain.ExcludeSelf));
    }

    // A number built from hyper-parameters (1 / T) is a scale like any other.
    [Fact]
    public void HyperParameterArithmetic_IsAScale()
    {
        var z = Embeddings.Input("z");
        var pairwise = Pairwise(z, Similarity.Dot).Expr;
        var inverse = Expr.Number(OpCode.Div, NumericType.Double, Expr.Const(1), Expr.Hyper("T", NumericType.Double));
        var scaled = Expr.Of(OpCode.Mul, ValueKind.Relation, pairwise, inverse);
        var over = Expr.Of(OpCode.Over, ValueKind.Masked, scaled, AllPairs().ExcludeSelf().Expr);
        var lse = Expr.Of(OpCode.RowLogSumExp, ValueKind.Vector, over);
        var builder = new IrBuilder();
        builder.AddTerm("T", 1, Expr.Of(OpCode.Mean, ValueKind.Real, lse), "Test.cs:1");
        var ir = builder.Build();

        var region = Assert.Single(FusionPlanner.Plan(GeneratorIr.From(ir)));
        Assert.Equal(OpCode.Div, ir.Nodes[region.Scale].Op);
        Assert.False(region.ScaleIsDivisor);
    }

    [Fact]
    public void OtherShapes_AreNotFused()
    {
        var z = Embeddings.Input("z");
        var y = Labels.Input("y");
        var t = Real.Input("t");
        var dot = Pairwise(z, Similarity.Dot);
        var ir = Build(
            Pairwise(z, Similarity.Cosine).Over(DifferentLabel(y)).LogSumExp().Mean(),   // another metric
            Pairwise(z, Distance.Euclidean).Over(DifferentLabel(y)).LogSumExp().Mean(),
            (dot * t).Over(AllPairs()).LogSumExp().Mean(),                                // a tensor scale
            Exp(dot).Over(AllPairs()).LogSumExp().Mean(),                                  // another per-pair function
            (dot / 2.0 / 3.0).Over(AllPairs()).LogSumExp().Mean(),                          // two scales
            (2.0 / dot).Over(AllPairs()).LogSumExp().Mean());                              // the relation divides
        Assert.Empty(FusionPlanner.Plan(GeneratorIr.From(ir)));
    }

    [Fact]
    public void Plan_IsDeterministicAndValueEqual()
    {
        LossIr Make()
        {
            var z = Embeddings.Input("z");
            var y = Labels.Input("y");
            var s = Pairwise(Normalize(z), Similarity.Dot) / 0.2;
            return Build(s.Over(DifferentLabel(y)).LogSumExp().Mean(), s.Over(SameLabel(y).ExcludeSelf()).LogSumExp().Mean(),
                Softplus(s.Over(DifferentLabel(y)).LogSumExp() - s).Over(SameLabel(y).ExcludeSelf()).MeanOverPairs());
        }
        var first = FusionPlanner.Plan(GeneratorIr.From(Make()));
        Assert.Equal(3, first.Count);
        Assert.Equal(1, first.Count(r => r.Summand is not null));
        Assert.Equal(first, FusionPlanner.Plan(GeneratorIr.From(Make())));
        // The relation feeds both regions, so neither may skip it.
        var ir = Make();
        Assert.All(first, r => Assert.DoesNotContain(Node(ir, OpCode.Pairwise).Id, r.Interior));
        Assert.All(first, r => Assert.Contains(ir.Nodes[r.Root].Args[0], r.Interior));
    }
}
