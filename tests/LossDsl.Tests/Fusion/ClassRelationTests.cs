extern alias LossDslGenerator;
using System.Collections.Generic;
using System.Linq;
using LossDslGenerator::LossDsl.Generators.Fusion;
using LossDsl.Ir;
using LossDsl.Runtime;
using TorchSharp;
using static LossDsl.Dsl;
using G = LossDslGenerator::LossDsl.Ir;
using PairFormula = LossDslGenerator::LossDsl.Generators.Fusion.PairFormula;

namespace LossDsl.Tests.Fusion;

/// <summary>Relations whose columns are classes (proxies, class weights): the canonical form writes the cross-entropy
/// of their rows and the column at each row's class over the class graph <c>[j = y_i]</c>, which fuses as labels
/// against the class ids (never an N×C tensor on the fused path), with the values of the form as written.</summary>
public sealed class ClassRelationTests
{
    private const double Scale = 30, Margin = 0.35;

    private static LossIr Build(Real term)
    {
        var builder = new IrBuilder();
        builder.AddTerm("T", 1.0, term.Expr, "Test.cs:1");
        return builder.Build();
    }

    /// <summary>CosFace's logits (the margin at the target through the class graph as weights) and ArcFace's target
    /// column (Pick), on labels with an ignore index.</summary>
    private static (LossIr CosFace, LossIr Picked) Losses()
    {
        var z = Embeddings.Input("z");
        var w = Embeddings.Input("W", "C", "D");
        var y = Labels.Input(new InputAttr("y", EquatableArray<string>.Empty, IgnoreIndex: -100));
        var cosine = Pairwise(z, w, Similarity.Cosine);
        var target = ClassOf(y).AsWeights();
        var cosFace = Build(CrossEntropy((Scale * (target * (cosine - Margin) + (1 - target) * cosine)).AsLogits(), y));
        var picked = Build(Square(cosine.Pick(y)).Mean());
        return (cosFace, picked);
    }

    private static G.EquatableArray<FusedRegion> Plan(LossIr ir) => FusionPlanner.Plan(G.Canonicalize.Apply(GeneratorIr.From(ir)));

    [Fact]
    public void Cross_entropy_over_classes_fuses_as_the_target_and_the_other_classes()
    {
        var regions = Plan(Losses().CosFace);
        Assert.Equal(2, regions.Count);
        var others = regions.Single(r => r.Reduce == "LogSumExp");
        var target = regions.Single(r => r.Reduce == "Sum");
        Assert.Equal(("DifferentLabel", "Rows", G.Metric.Cosine), (others.Graph, others.Output, others.Metric));
        Assert.Equal(("SameLabel", "Rows", G.Metric.Cosine), (target.Graph, target.Output, target.Metric));
        Assert.All(regions, r => Assert.True(r.ColumnClassOf >= 0 && r.RowLabels >= 0));
        // The class graph read as its value there: 0 off the target, 1 at it; no weight matrix, no other leaf.
        var c = PairFormula.Const(Scale);
        Assert.Equal((FormulaSymbols.S * c).Simplify(), others.Formula);
        Assert.Equal(((FormulaSymbols.S - PairFormula.Const(Margin)) * c).Simplify(), target.Formula);
    }

    [Fact]
    public void The_column_at_each_rows_class_fuses_as_a_row_sum_over_the_class_graph()
    {
        var region = Assert.Single(Plan(Losses().Picked));
        Assert.Equal(("Sum", "Rows", "SameLabel"), (region.Reduce, region.Output, region.Graph));
        Assert.Equal(FormulaSymbols.S, region.Formula);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_canonical_form_has_the_values_and_gradients_of_the_form_as_written(bool picked)
    {
        using var scope = torch.NewDisposeScope();
        var (cosFace, pick) = Losses();
        var written = picked ? pick : cosFace;
        var canonical = Canonicalize.Apply(written);
        Assert.DoesNotContain(canonical.Nodes, n => n.Op is OpCode.CrossEntropy or OpCode.Pick);
        torch.manual_seed(5);
        var z = torch.randn(9, 6, torch.float64);
        var w = torch.randn(4, 6, torch.float64);
        var y = torch.tensor(new long[] { 0, 3, -100, 1, 1, 2, 3, -100, 0 });
        (double Value, double[] Dz, double[] Dw) Run(LossIr ir)
        {
            var (zl, wl) = (z.clone().requires_grad_(), w.clone().requires_grad_());
            using var result = IrInterpreter.Evaluate(ir, new Dictionary<string, torch.Tensor> { ["z"] = zl, ["W"] = wl, ["y"] = y });
            result.Total.backward();
            return (result.Total.item<double>(), zl.grad!.data<double>().ToArray(), wl.grad!.data<double>().ToArray());
        }
        var (value, dz, dw) = Run(canonical);
        var (expected, dzExpected, dwExpected) = Run(written);
        Assert.Equal(expected, value, 1e-12);
        Assert.All(dz.Zip(dzExpected), p => Assert.Equal(p.Second, p.First, 1e-12));
        Assert.All(dw.Zip(dwExpected), p => Assert.Equal(p.Second, p.First, 1e-12));
    }
}
