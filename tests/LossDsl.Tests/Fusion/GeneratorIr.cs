extern alias LossDslGenerator;
using System;
using System.Linq;
using LossDsl.Ir;
using G = LossDslGenerator::LossDsl.Ir;

namespace LossDsl.Tests.Fusion;

/// <summary>The generator compiles its own copy of the IR sources (it cannot reference LossDsl.Dsl), so
/// its <c>LossIr</c> is another type than the one the DSL builds: this copies one into the other,
/// node by node, for tests that build IR from DSL expressions and hand it to the generator's code.</summary>
internal static class GeneratorIr
{
    public static G.LossIr From(LossIr ir) => new(
        G.EquatableArray.ToEquatableArray(ir.Nodes.Select(n => new G.IrNode(
            n.Id, (G.OpCode)(int)n.Op, (G.ValueKind)(int)n.Kind, G.EquatableArray.ToEquatableArray(n.Args), Attr(n.Attr)))),
        G.EquatableArray.ToEquatableArray(ir.Inputs.Select(i => new G.IrInput(i.Name, (G.ValueKind)(int)i.Kind, i.FirstTerm))),
        G.EquatableArray.ToEquatableArray(ir.Hypers.Select(h => new G.IrHyper(h.Name, (G.NumericType)(int)h.Type, h.Default))),
        G.EquatableArray.ToEquatableArray(ir.Terms.Select(t => new G.IrTerm(t.Name, t.Weight, t.Root, t.Source))));

    private static G.NodeAttr? Attr(NodeAttr? attr) => attr switch
    {
        null => null,
        InputAttr i => new G.InputAttr(i.Name, i.Dims.ToArray(), i.IgnoreIndex),
        HyperAttr h => new G.HyperAttr(h.Name, (G.NumericType)(int)h.Type),
        ConstAttr c => new G.ConstAttr(c.Value, (G.NumericType)(int)c.Type),
        NumberAttr n => new G.NumberAttr((G.NumericType)(int)n.Type),
        MetricAttr m => new G.MetricAttr((G.Metric)(int)m.Metric),
        AxesAttr a => new G.AxesAttr(a.Axes.ToArray()),
        IndexAttr x => new G.IndexAttr(x.Index, x.Count),
        _ => throw new ArgumentException($"Unknown attribute {attr}"),
    };
}
