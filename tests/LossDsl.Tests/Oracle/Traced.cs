using LossDsl.Ir;

namespace LossDsl.Tests.Oracle;

/// <summary>Builds the IR of DSL bodies called with symbolic inputs, as a run-time trace does.</summary>
public static class Traced
{
    /// <summary>A loss with one term of weight 1.</summary>
    public static LossIr Single(string term, Real body) => Of((term, 1.0, body));

    /// <summary>A loss with the given terms, in order.</summary>
    public static LossIr Of(params (string Name, double Weight, Real Body)[] terms)
    {
        var builder = new IrBuilder();
        foreach (var (name, weight, body) in terms) builder.AddTerm(name, weight, body.Expr, "");
        return builder.Build();
    }
}
