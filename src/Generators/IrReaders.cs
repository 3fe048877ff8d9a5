using System.Collections.Generic;
using System.Linq;
using LossIr = LossDsl.Ir.LossIr;

namespace LossDsl.Generators
{
    /// <summary>Which nodes read each node of a loss's IR (each reader once, in id order: readers have larger ids).
    /// Computed once per emitted <c>Compute</c> and shared by the analyses that ask who reads a value.</summary>
    internal static class IrReaders
    {
        public static Dictionary<int, List<int>> Of(LossIr ir)
        {
            var readers = ir.Nodes.ToDictionary(n => n.Id, _ => new List<int>());
            foreach (var node in ir.Nodes)
                foreach (var arg in node.Args.Distinct()) readers[arg].Add(node.Id);
            return readers;
        }
    }
}
