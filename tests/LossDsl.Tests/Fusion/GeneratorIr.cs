extern alias LossDslGenerator;
using System.Linq;
using G = LossDslGenerator::LossDsl.Ir;

namespace LossDsl.Tests.Fusion;

/// <summary>The generator compiles its own copy of the IR sources (it cannot reference LossDsl.Dsl), so
/// its <c>LossIr</c> is another type than the one the DSL builds: this copies one into the other,
/// node by node, for tests that build IR from DSL expressions and hand it to the generator's code.</summary>
internal static class GeneratorIr
{
    public static G.LossIr From(LossDsl.Ir.LossIr ir) => new(
        G.EquatableArray.ToEquatableArray(ir.Nodes.Select(n => new G.IrNode(
            n.Id, (G.OpCode)(int)n.Op, (G.ValueKind)(int)n.Kind, G.EquatableArray.ToEquatableArray(n.Args), n.Number, n.Name))),
        G.EquatableArray.ToEquatableArray(ir.Inputs.Select(i => new G.IrInput(i.Name, (G.ValueKind)(int)i.Kind, i.FirstTerm))),
        G.EquatableArray.ToEquatableArray(ir.Hypers.Select(h => new G.IrHyper(h.Name, h.NumericType, h.Default))),
        G.EquatableArray.ToEquatableArray(ir.Terms.Select(t => new G.IrTerm(t.Name, t.Weight, t.Root, t.Source))));
}
