namespace LossDsl.Runtime.Kernels.Formulas;

/// <summary>Smooth L1 (β = 1) in the formula vocabulary: <c>h(u) = ½·min(|u|, 1)² + relu(|u| − 1)</c>
/// (= ½u² for |u| &lt; 1, |u| − ½ beyond), <c>h'(u) = max(min(u, 1), −1)</c>.</summary>
internal static class SmoothL1
{
    public static T Value<T, M>(T u) where M : IPairMath<T>
    {
        var a = M.Abs(u);
        var inner = M.Min(a, M.Const(1));
        return M.Add(M.Mul(M.Const(0.5), M.Square(inner)), M.Relu(M.Sub(a, M.Const(1))));
    }

    public static T Derivative<T, M>(T u) where M : IPairMath<T> => M.Max(M.Min(u, M.Const(1)), M.Const(-1));
}

/// <summary>RKD distance (RepDistiller's <c>RKDLoss</c>, distance term): <c>f = h(s / μ_s − s2 / μ_t)</c> with s the
/// student's and s2 the teacher's Euclidean distances, μ_s (row value 0, differentiable) and μ_t (row value 1,
/// frozen) their means over positive distances; engine call: <c>SumReduce</c> over <c>AllPairs</c> of a self
/// relation with a second (teacher) relation, mean over all N² pairs.</summary>
public struct RkdDistancePairs : IPairFormula
{
    public static int RowValueCount => 2;
    public static int ColumnValueCount => 0;
    public static bool ReadsSecondRelation => true;

    // f = h(s / v0 − s2 / v1)
    public T Value<T, M>(PairInputs<T> p) where M : IPairMath<T> =>
        SmoothL1.Value<T, M>(M.Sub(M.Div(p.S, p.R0), M.Div(p.S2, p.R1)));

    // u = s/v0 − s2/v1;  ∂f/∂s = h'(u) / v0;  ∂f/∂v0 = −h'(u) · s / v0²;  ∂f/∂v1 = h'(u) · s2 / v1²
    public PairPartials<T> Partials<T, M>(PairInputs<T> p) where M : IPairMath<T>
    {
        var u = M.Sub(M.Div(p.S, p.R0), M.Div(p.S2, p.R1));
        var dh = SmoothL1.Derivative<T, M>(u);
        var ds = M.Div(dh, p.R0);
        return new()
        {
            F = SmoothL1.Value<T, M>(u),
            S = ds,
            R0 = M.Neg(M.Mul(ds, M.Div(p.S, p.R0))),
            R1 = M.Mul(M.Div(dh, p.R1), M.Div(p.S2, p.R1)),
        };
    }
}
