extern alias LossDslGenerator;
using System.Linq;
using LossDslGenerator::LossDsl.Generators.Fusion;
using LossDsl.Ir;
using static LossDsl.Dsl;
using G = LossDslGenerator::LossDsl.Ir;
using PairFormula = LossDslGenerator::LossDsl.Generators.Fusion.PairFormula;

namespace LossDsl.Tests.Fusion;

/// <summary>The planner on IR built from DSL expressions: which reductions it fuses, what it records about them
/// (reduction, output, operands, mask, formula, row and column values, numbers, second relation), and which nodes
/// the fused path may skip.</summary>
public class FusionPlannerTests
{
    private static LossIr Build(params Real[] terms)
    {
        var builder = new IrBuilder();
        for (var k = 0; k < terms.Length; k++) builder.AddTerm("T" + k, 1.0, terms[k].Expr, "Test.cs:" + k);
        return builder.Build();
    }

    private static G.EquatableArray<FusedRegion> Plan(LossIr ir) => FusionPlanner.Plan(GeneratorIr.From(ir));

    private static IrNode Node(LossIr ir, OpCode op) => ir.Nodes.Single(n => n.Op == op);

    private static int Input(LossIr ir, string name) => ir.Nodes.Single(n => n.Op == OpCode.Input && n.Name == name).Id;

    private static readonly PairFormula S = FormulaSymbols.S;

    [Fact]
    public void NtXent_denominator_is_one_region_and_all_its_nodes_are_interior()
    {
        var z = Embeddings.Input("z");
        var y = Labels.Input("y");
        var ir = Build((Pairwise(Normalize(z), Similarity.Dot) / 0.1).Over(DifferentLabel(y)).LogSumExp().Mean());

        var region = Assert.Single(Plan(ir));
        Assert.Equal(RegionShape.Pairs, region.Shape);
        Assert.Equal(("LogSumExp", "Rows"), (region.Reduce, region.Output));
        Assert.Equal(Node(ir, OpCode.RowLogSumExp).Id, region.Root);
        // ⟨normalize(z)_i, normalize(z)_j⟩ runs as the engine's cosine of z: the normalised rows are never computed fused.
        Assert.Equal((Input(ir, "z"), -1), (region.X, region.Y));
        Assert.Equal(("DifferentLabel", false, Input(ir, "y"), -1), (region.Graph, region.ExcludeSelf, region.RowLabels, region.ColumnLabels));
        Assert.Equal(S / PairFormula.Const(0.1), region.Formula);
        Assert.Equal(G.Metric.Cosine, region.Metric);
        var expected = new[] { OpCode.Pairwise, OpCode.Div, OpCode.DifferentLabel, OpCode.Over }.Select(op => Node(ir, op).Id).OrderBy(i => i);
        Assert.Equal(expected, region.Interior);
    }

    // A dot product fuses as a cosine only when both sides are the rows normalised (a cross relation too); one
    // normalised side stays a dot product of the normalised rows.
    [Fact]
    public void A_dot_product_of_normalised_rows_fuses_as_the_cosine_of_the_rows()
    {
        var a = Embeddings.Input("a");
        var b = Embeddings.Input("b");
        var ir0 = Build(Pairwise(Normalize(a), Normalize(b), Similarity.Dot).Over(AllPairs()).SumOverPairs());
        var both = Assert.Single(Plan(ir0));
        Assert.Equal((G.Metric.Cosine, Input(ir0, "a"), Input(ir0, "b")), (both.Metric, both.X, both.Y));
        var ir = Build(Pairwise(Normalize(a), b, Similarity.Dot).Over(AllPairs()).SumOverPairs());
        var one = Assert.Single(Plan(ir));
        Assert.Equal((G.Metric.Dot, Node(ir, OpCode.Normalize).Id, Input(ir, "b")), (one.Metric, one.X, one.Y));
    }

    // SupCon reads the scaled relation in both regions: neither may skip it. The positives read the denominator as a row value.
    [Fact]
    public void SupCon_is_a_log_sum_exp_feeding_a_row_mean()
    {
        var z = Embeddings.Input("z");
        var y = Labels.Input("y");
        var s = Pairwise(Normalize(z), Similarity.Dot) / 0.1;
        var ir = Build((s.Over(AllPairs().ExcludeSelf()).LogSumExp() - s).Over(SameLabel(y).ExcludeSelf()).Mean().MeanNonZero());

        var regions = Plan(ir);
        Assert.Equal(2, regions.Count);
        var (denominator, positives) = (regions[0], regions[1]);
        Assert.Equal(("LogSumExp", "AllPairs", true, -1), (denominator.Reduce, denominator.Graph, denominator.ExcludeSelf, denominator.RowLabels));
        Assert.Equal(("Sum", "RowMean", "SameLabel", true), (positives.Reduce, positives.Output, positives.Graph, positives.ExcludeSelf));
        Assert.Equal(new[] { denominator.Root }, positives.RowValues);
        Assert.Equal(FormulaSymbols.Rows[0] - S / PairFormula.Const(0.1), positives.Formula);
        foreach (var region in regions)
        {
            Assert.DoesNotContain(Node(ir, OpCode.Pairwise).Id, region.Interior);
            Assert.DoesNotContain(Node(ir, OpCode.Div).Id, region.Interior);
        }
        Assert.Contains(Node(ir, OpCode.Sub).Id, positives.Interior);
    }

    [Fact]
    public void Every_metric_and_reduction_of_the_engine_fuses()
    {
        var z = Embeddings.Input("z");
        var y = Labels.Input("y");
        var ir = Build(
            Pairwise(z, Distance.Euclidean).Over(SameLabel(y).ExcludeSelf()).Max().Mean(),
            Pairwise(z, Distance.SqEuclidean).Over(DifferentLabel(y)).Min().Mean(),
            Relu(0.5 - Pairwise(z, Similarity.Cosine)).Over(DifferentLabel(y)).MeanNonZeroOverPairs(),
            Pairwise(z, Similarity.Dot).Over(OtherView()).Sum().Mean(),
            Pairwise(z, Similarity.Dot).Over(AllPairs()).SumOverPairs(),
            Pairwise(z, Similarity.Dot).Over(AllPairs()).MeanOverPairs());
        var regions = Plan(ir);
        Assert.Equal(new[] { ("Max", "Rows"), ("Min", "Rows"), ("Sum", "MeanNonZero"), ("Sum", "Rows"), ("Sum", "Sum"), ("Sum", "Mean") },
            regions.Select(r => (r.Reduce, r.Output)));
        Assert.Equal(new[] { G.Metric.Euclidean, G.Metric.SqEuclidean, G.Metric.Cosine, G.Metric.Dot, G.Metric.Dot, G.Metric.Dot }, regions.Select(r => r.Metric));
        Assert.Equal("OtherView", regions[3].Graph);
        Assert.Equal(PairFormula.Apply(UnaryOp.Relu, PairFormula.Const(0.5) - S), regions[2].Formula);
    }

    // A cross relation [N, K]: a vector over K is a column value, one over N a row value; the graph compares two
    // label vectors.
    [Fact]
    public void Row_and_column_values_and_two_label_vectors()
    {
        var z = Embeddings.Input("z");
        var proxies = Embeddings.Input("proxies", "K", "D_z");
        var y = Labels.Input("y");
        var classes = Labels.Input("classes", "K");
        var t = Real.Input("t");
        var ir = Build(Softplus(Pairwise(z, proxies, Similarity.Dot) - Norm(proxies) + Norm(z) * t).Over(SameLabel(y, classes)).SumOverPairs(),
            (Pairwise(z, Similarity.Dot) * t).Over(AllPairs()).SumOverPairs());

        var regions = Plan(ir);
        Assert.Equal(2, regions.Count);
        var region = regions[0];
        Assert.Equal((Input(ir, "z"), Input(ir, "proxies")), (region.X, region.Y));
        Assert.Equal((Input(ir, "y"), Input(ir, "classes")), (region.RowLabels, region.ColumnLabels));
        var norms = ir.Nodes.Where(n => n.Op == OpCode.RowNorm).ToList();
        Assert.Equal(new[] { norms.Single(n => n.Args[0] == Input(ir, "proxies")).Id }, region.ColumnValues);
        // ‖z_i‖ · t is a vector computed before the region: one row value.
        Assert.Equal(new[] { ir.Nodes.Single(n => n.Op == OpCode.Mul && n.Kind == ValueKind.Vector).Id }, region.RowValues);
        Assert.Equal(PairFormula.Apply(UnaryOp.Softplus, S - FormulaSymbols.Columns[0] + FormulaSymbols.Rows[0]), region.Formula);
        // A 0-d value inside the relation broadcasts as a row value.
        Assert.Equal(new[] { Input(ir, "t") }, regions[1].RowValues);
        Assert.Equal(S * FormulaSymbols.Rows[0], regions[1].Formula);
    }

    // RKD's distance shape: a relation of a frozen teacher next to the student's is the engine's second relation.
    [Fact]
    public void A_frozen_second_relation_is_read_without_gradient()
    {
        var s = Embeddings.Input("s");
        var t = Embeddings.Input("t");
        var ir = Build(Square(Pairwise(s, Distance.Euclidean) - Pairwise(Frozen(t), Distance.Euclidean)).Over(AllPairs()).MeanOverPairs());
        var region = Assert.Single(Plan(ir));
        Assert.Equal((Input(ir, "s"), -1), (region.X, region.Y));
        Assert.Equal((Node(ir, OpCode.StopGradient).Id, -1, G.Metric.Euclidean), (region.X2, region.Y2, region.Metric2));
        Assert.Equal(PairFormula.Apply(UnaryOp.Square, S - FormulaSymbols.S2), region.Formula);
    }

    // Circle's logits: a frozen copy of the relation inside the formula is sg(s), not a second relation.
    [Fact]
    public void A_frozen_copy_of_the_relation_is_a_stop_gradient_in_the_formula()
    {
        var z = Embeddings.Input("z");
        var y = Labels.Input("y");
        var s = Pairwise(z, Similarity.Dot);
        var ir = Build((Relu(Frozen(s) + 0.25) * (s - 0.25)).Over(DifferentLabel(y)).LogSumExp().Mean());
        var region = Assert.Single(Plan(ir));
        Assert.Equal(-1, region.X2);
        Assert.Equal(PairFormula.Apply(UnaryOp.Relu, PairFormula.Apply(UnaryOp.StopGradient, S) + PairFormula.Const(0.25)) * (S - PairFormula.Const(0.25)), region.Formula);
    }

    [Fact]
    public void Hyper_parameters_are_fields_named_after_them_and_other_numbers_are_numbered()
    {
        var z = Embeddings.Input("z");
        var margin = Expr.Hyper("Margin", NumericType.Double);
        var m = Expr.Hyper("M", NumericType.Double);
        var inverse = Expr.Number(OpCode.Div, NumericType.Double, Expr.Const(1), Expr.Hyper("T", NumericType.Double));
        var pairwise = Pairwise(z, Similarity.Dot).Expr;
        var f = Expr.Of(OpCode.Mul, ValueKind.Relation, Expr.Of(OpCode.Sub, ValueKind.Relation, Expr.Of(OpCode.Add, ValueKind.Relation, pairwise, margin), m), inverse);
        var builder = new IrBuilder();
        builder.AddTerm("T", 1, Expr.Of(OpCode.Mean, ValueKind.Real, Expr.Of(OpCode.Over, ValueKind.Masked, f, AllPairs().Expr)), "Test.cs:1");
        var region = Assert.Single(Plan(builder.Build()));
        // M would clash with the formula methods' type parameter M.
        Assert.Equal(new[] { "Margin", "M_", "c0" }, region.Numbers.Select(n => n.Field));
    }

    // Proxy-Anchor: classes (a table of proxies) against the batch. [j = y_i] is "same label" with the class ids as the
    // other side's labels; transposed, the sides swap; negated, it is "different label". Nothing of the graph is built.
    [Fact]
    public void Class_graphs_fuse_as_labels_against_class_ids()
    {
        var z = Embeddings.Input("z");
        var proxies = Embeddings.Input("proxies", "C", "D");
        var y = Labels.Input("y");
        var s = Pairwise(proxies, z, Similarity.Cosine);
        var members = ClassOf(y).Transposed();
        var ir = Build(
            s.Over(members).LogSumExp().Mean(),
            s.Over(!members).LogSumExp().Mean(),
            Pairwise(z, proxies, Similarity.Dot).Over(ClassOf(y)).SumOverPairs());
        var regions = Plan(ir);
        Assert.Equal(3, regions.Count);
        var classOf = Node(ir, OpCode.ClassOf).Id;
        var labels = Input(ir, "y");
        var (pull, push, rows) = (regions.Single(r => r.Graph == "SameLabel" && r.RowClassOf >= 0), regions.Single(r => r.Graph == "DifferentLabel"),
            regions.Single(r => r.ColumnClassOf >= 0));
        Assert.Equal((-1, labels, classOf, -1), (pull.RowLabels, pull.ColumnLabels, pull.RowClassOf, pull.ColumnClassOf));
        Assert.Equal((-1, labels, classOf, -1), (push.RowLabels, push.ColumnLabels, push.RowClassOf, push.ColumnClassOf));
        Assert.Equal(("SameLabel", labels, -1, -1, classOf), (rows.Graph, rows.RowLabels, rows.ColumnLabels, rows.RowClassOf, rows.ColumnClassOf));
        // No region reads the graph itself (the generated code builds it only for the unfused branches).
        Assert.All(regions, r => Assert.DoesNotContain(classOf, r.Operands));
    }

    [Fact]
    public void Class_graphs_the_engine_has_no_mask_for_stay_unfused()
    {
        var z = Embeddings.Input("z");
        var proxies = Embeddings.Input("proxies", "C", "D");
        var padded = Labels.Input(new InputAttr("y", EquatableArray<string>.Empty, IgnoreIndex: 0));   // the ignore index is a class id
        var y = Labels.Input("y2");
        var s = Pairwise(z, proxies, Similarity.Dot);
        var ir = Build(
            s.Over(ClassOf(padded)).SumOverPairs(),
            Pairwise(z, Similarity.Dot).Over(!SameLabel(y).ExcludeSelf()).SumOverPairs());   // ¬(G ∖ self) keeps the diagonal
        Assert.Empty(Plan(ir));
    }

    [Fact]
    public void Shapes_the_engine_cannot_run_stay_unfused()
    {
        var z = Embeddings.Input("z");
        var w = Embeddings.Input("w");
        var y = Labels.Input("y");
        var tokens = Tokens.Input("tokens");
        var dot = Pairwise(z, Similarity.Dot);
        var ir = Build(
            Pairwise(z, Distance.L1).Over(DifferentLabel(y)).LogSumExp().Mean(),                         // a metric the engine lacks
            (dot + Pairwise(w, Similarity.Dot)).Over(AllPairs()).SumOverPairs(),                         // two relations with gradients
            Tanh(dot).Over(AllPairs()).SumOverPairs(),                                                  // an operation without a scalar form
            dot.Over(SameLabel(y) & DifferentLabel(y)).SumOverPairs(),                                   // a graph without a mask
            Pairwise(tokens, Similarity.Dot).LogSumExp().Mean());                                        // batched operands
        Assert.Empty(Plan(ir));
    }

    [Fact]
    public void Rkd_angle_and_the_all_triplets_margin_loss_are_patterns()
    {
        var s = Embeddings.Input("s");
        var t = Embeddings.Input("t");
        var z = Embeddings.Input("z");
        var y = Labels.Input("y");
        var ir = Build(
            SmoothL1(Angles(s), Angles(Frozen(t))),
            Relu(Pairwise(z, Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y)) + 0.2).MeanNonZero(),
            SmoothL1(Angles(s), Angles(Frozen(t)), beta: 0.5),                                                  // another β
            SmoothL1(Angles(s), Angles(t)),                                                                       // a teacher with gradient
            Relu(Pairwise(z, Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y)).MineHard() + 0.2).MeanNonZero());
        var regions = Plan(ir);
        Assert.Equal(new[] { RegionShape.RkdAngle, RegionShape.TripletMargin }, regions.Select(r => r.Shape));
        Assert.Equal((Input(ir, "s"), Node(ir, OpCode.StopGradient).Id), (regions[0].X, regions[0].PatternArgs[0]));
        Assert.Equal(Input(ir, "z"), regions[1].X);
        Assert.Equal(Input(ir, "y"), regions[1].PatternArgs[0]);
    }

    [Fact]
    public void Plan_is_deterministic_and_value_equal()
    {
        LossIr Make()
        {
            var z = Embeddings.Input("z");
            var y = Labels.Input("y");
            var s = Pairwise(Normalize(z), Similarity.Dot) / 0.2;
            return Build(s.Over(DifferentLabel(y)).LogSumExp().Mean(), s.Over(SameLabel(y).ExcludeSelf()).LogSumExp().Mean(),
                Softplus(s.Over(DifferentLabel(y)).LogSumExp() - s).Over(SameLabel(y).ExcludeSelf()).MeanOverPairs());
        }
        var first = Plan(Make());
        Assert.Equal(3, first.Count);
        Assert.Equal(first, Plan(Make()));
    }
}
