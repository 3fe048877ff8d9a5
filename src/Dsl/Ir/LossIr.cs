namespace LossDsl.Ir
{
    /// <summary>One node of the loss DAG. Identical subexpressions share one node (interned by
    /// <see cref="IrBuilder"/>), which is how terms share their common work.</summary>
    /// <param name="Id">Index in <see cref="LossIr.Nodes"/>; arguments always have smaller ids.</param>
    /// <param name="Attr">Typed attributes (an input's name and dims, a constant, a metric, named axes, …), or null.</param>
    public sealed record IrNode(int Id, OpCode Op, ValueKind Kind, EquatableArray<int> Args, NodeAttr? Attr)
    {
        /// <summary>The input's name (inputs), the hyper-parameter's name (hypers), "" otherwise.</summary>
        public string Name => Attr switch
        {
            InputAttr i => i.Name,
            HyperAttr h => h.Name,
            _ => "",
        };

        /// <summary>The value of a constant (0 for other nodes).</summary>
        public double Number => Attr is ConstAttr c ? c.Value : 0;

        /// <summary>The C# type of a number node (a constant, a hyper-parameter, arithmetic on them).</summary>
        public NumericType NumericType => Attr switch
        {
            ConstAttr c => c.Type,
            HyperAttr h => h.Type,
            NumberAttr n => n.Type,
            _ => NumericType.Double,
        };

        /// <summary>The metric of a pairwise relation.</summary>
        public Metric Metric => Attr is MetricAttr m ? m.Metric : default;
    }

    /// <summary>An input of the loss (a tensor argument of <c>Compute</c>), unified by name across terms.</summary>
    /// <param name="FirstTerm">The first term that uses it: run-time errors name it.</param>
    public sealed record IrInput(string Name, ValueKind Kind, string FirstTerm);

    /// <summary>A hyper-parameter: a settable property with a default.</summary>
    /// <param name="Temperature">Whether it is a temperature (marked <c>[Temperature]</c>, or passed where the DSL takes
    /// one): <c>Compute</c> refuses a value that is not a positive finite number.</param>
    public sealed record IrHyper(string Name, NumericType Type, double Default, bool Temperature = false);

    /// <summary>A weighted term: <c>weighted = Weight · raw</c>, <c>total = Σ weighted</c>.</summary>
    /// <param name="Source">"File.cs:line" of the term's declaration, for formula comments.</param>
    public sealed record IrTerm(string Name, double Weight, int Root, string Source);

    /// <summary>A whole loss: its DAG in topological order, inputs in signature order, hypers, terms.</summary>
    public sealed record LossIr(
        EquatableArray<IrNode> Nodes,
        EquatableArray<IrInput> Inputs,
        EquatableArray<IrHyper> Hypers,
        EquatableArray<IrTerm> Terms)
    {
        /// <summary>The names of the inputs node <paramref name="root"/> reads (directly or through its arguments), in
        /// input order: the inputs whose NaN makes a term NaN under <c>NonFiniteInputs.Propagate</c>.</summary>
        public System.Collections.Generic.List<string> InputsReadBy(int root)
        {
            var read = new System.Collections.Generic.HashSet<string>();
            var seen = new System.Collections.Generic.HashSet<int>();
            var stack = new System.Collections.Generic.Stack<int>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                var id = stack.Pop();
                if (!seen.Add(id)) continue;
                if (Nodes[id].Op == OpCode.Input) read.Add(Nodes[id].Name);
                foreach (var a in Nodes[id].Args) stack.Push(a);
            }
            var names = new System.Collections.Generic.List<string>();
            foreach (var input in Inputs)
                if (read.Contains(input.Name)) names.Add(input.Name);
            return names;
        }
    }
}
