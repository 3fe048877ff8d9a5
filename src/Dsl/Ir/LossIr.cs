namespace LossDsl.Ir
{
    /// <summary>One node of the loss DAG. Identical subexpressions share one node (interned by
    /// <see cref="IrBuilder"/>), which is how terms share their common work.</summary>
    /// <param name="Id">Index in <see cref="LossIr.Nodes"/>; arguments always have smaller ids.</param>
    /// <param name="Number">Value of a constant.</param>
    /// <param name="Name">Input name, "name:type" of a hyper, metric of a relation, numeric type of a number.</param>
    public sealed record IrNode(int Id, OpCode Op, ValueKind Kind, EquatableArray<int> Args, double Number, string Name);

    /// <summary>An input of the loss (a tensor argument of <c>Compute</c>), unified by name across terms.</summary>
    /// <param name="FirstTerm">The first term that uses it: run-time errors name it.</param>
    public sealed record IrInput(string Name, ValueKind Kind, string FirstTerm);

    /// <summary>A hyper-parameter: a settable property with a default.</summary>
    public sealed record IrHyper(string Name, string NumericType, double Default);

    /// <summary>A weighted term: <c>weighted = Weight · raw</c>, <c>total = Σ weighted</c>.</summary>
    /// <param name="Source">"File.cs:line" of the term's declaration, for formula comments.</param>
    public sealed record IrTerm(string Name, double Weight, int Root, string Source);

    /// <summary>A whole loss: its DAG in topological order, inputs in signature order, hypers, terms.</summary>
    public sealed record LossIr(
        EquatableArray<IrNode> Nodes,
        EquatableArray<IrInput> Inputs,
        EquatableArray<IrHyper> Hypers,
        EquatableArray<IrTerm> Terms);
}
