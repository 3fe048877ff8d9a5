using System.Linq;
using LossDsl.Ir;
using LossDsl.Tests.Oracle;
using static LossDsl.Dsl;

namespace LossDsl.Tests.Catalog;

/// <summary>The dimensions inferred for the shapes the mission needs, and how lower-rank values broadcast.</summary>
public class TypeInferenceTests
{
    private static (LossIr Ir, IrTypes Types) Infer(Real body)
    {
        var ir = Traced.Single("T", body);
        return (ir, TypeInference.Infer(ir));
    }

    private static IrNode Find(LossIr ir, OpCode op) => ir.Nodes.First(n => n.Op == op);

    [Fact]
    public void Relations_of_a_batch_a_table_tokens_and_triples()
    {
        var z = Embeddings.Input("z");
        var proxies = Embeddings.Input("proxies", "C", "D_z");
        var tokens = Tokens.Input("t");
        var (ir, types) = Infer(Pairwise(z, Similarity.Dot).Mean() + Pairwise(z, proxies, Similarity.Cosine).Mean()
                                + Pairwise(tokens, Similarity.Cosine).Mean() + Angles(z).Mean());
        Assert.Empty(types.Errors);
        var relations = ir.Nodes.Where(n => n.Op is OpCode.Pairwise or OpCode.Angles).Select(n => string.Join(",", types.Of(n.Id))).ToList();
        Assert.Equal(new[] { "N,N", "N,C", "N,T_t,T_t", "N,N,N" }, relations);
    }

    [Fact]
    public void Lower_rank_values_broadcast_by_their_symbols()
    {
        var z = Embeddings.Input("z");
        var y = Labels.Input("y");
        var proxies = Embeddings.Input("proxies", "C", "D_z");
        var perClass = Vector.Input("perClass", "C");
        var lse = Pairwise(z, Similarity.Dot).Over(SameLabel(y)).LogSumExp();
        var rowShift = Pairwise(z, Similarity.Dot) - lse;                                 // v_i along rows
        var columnShift = Pairwise(z, proxies, Similarity.Dot) + perClass;                 // w_c along columns
        var negatives = Embeddings.Input("negatives", "N", "K", "D_z");
        var around = negatives - z;                                                        // [N, D] around K
        var (ir, types) = Infer(rowShift.Mean() + columnShift.Mean() + around.Mean());
        Assert.Empty(types.Errors);
        var subs = ir.Nodes.Where(n => n.Op == OpCode.Sub).ToList();
        var add = ir.Nodes.Single(n => n.Op == OpCode.Add && n.Kind == ValueKind.Relation);
        Assert.Equal(new[] { 0 }, types.Alignment(subs[0].Id, 1));
        Assert.Equal(new[] { 1 }, types.Alignment(add.Id, 1));
        Assert.Equal(new[] { 0, 2 }, types.Alignment(subs[1].Id, 1));
        Assert.Equal("N,K,D_z", string.Join(",", types.Of(subs[1].Id)));
    }

    [Fact]
    public void Template_symbols_take_the_name_of_what_they_meet_and_the_plan_checks_them()
    {
        var student = Logits.Input("student");
        var teacher = Logits.Input("teacher");
        var y = Labels.Input("y");
        var (_, types) = Infer(KL(Softmax(teacher), LogSoftmax(student)) + CrossEntropy(student, y));
        Assert.Empty(types.Errors);
        var plan = types.Plan;
        Assert.Equal(new[] { "N", "C_teacher" }, plan.Inputs.Single(i => i.Input == "student").Dims.ToArray());
        var range = Assert.Single(plan.Ranges);
        Assert.Equal(("y", "C_teacher", "class"), (range.Input, range.Dim, range.What));
    }

    [Fact]
    public void Named_reductions_drop_their_axes_and_literal_sizes_are_checked()
    {
        var p = Probs.Input("p", "B", "C", "H", "W");
        var triples = Indices.Input("triples", "E", "3");
        var entities = Embeddings.Input("entities", "Entities", "D");
        var (ir, types) = Infer(p.Sum("H", "W").Mean() + entities.Rows(triples.Column(2)).Mean());
        Assert.Empty(types.Errors);
        Assert.Equal("B,C", string.Join(",", types.Of(Find(ir, OpCode.RowSum).Id)));
        Assert.Equal("E,D", string.Join(",", types.Of(Find(ir, OpCode.Rows).Id)));
        var range = Assert.Single(types.Plan.Ranges);
        Assert.Equal(("triples", "Entities", 2), (range.Input, range.Dim, range.Column!.Value));
        Assert.Equal("3", types.Plan.Inputs.Single(i => i.Input == "triples").Dims[1]);
    }

    [Fact]
    public void Parts_of_an_axis_are_derived_sizes_checked_at_run_time()
    {
        var entities = Embeddings.Input("entities", "E", "D");
        var relations = Embeddings.Input("relations", "R", "H");
        var i = Labels.Input("i");
        var (_, types) = Infer((entities.Rows(i).Part(0, of: 2) * relations.Rows(i)).Mean());
        Assert.Empty(types.Errors);
        var derived = Assert.Single(types.Plan.Derived);
        Assert.Equal(("D", 2), (derived.Parent, derived.Parts));
    }
}
