namespace LossDsl.Runtime.Kernels;

/// <summary>Functions that generated formulas call besides <see cref="IPairMath{T}"/>'s primitives, written once over
/// them (so they run in the SIMD engine and in ILGPU kernels alike).</summary>
public static class PairFunctions
{
    /// <summary><c>log(e^a + e^b) = max(a, b) + softplus(−|a − b|)</c>, and −∞ when both are −∞ (as
    /// <c>Ops.LogAddExp</c>: two empty log-sum-exps combine to an empty one, not NaN).</summary>
    public static T LogAddExp<T, M>(T a, T b) where M : IPairMath<T>
    {
        var max = M.Max(a, b);
        var empty = M.Eq(max, M.Const(double.NegativeInfinity));
        return M.Select(empty, max, M.Add(max, M.Softplus(M.Neg(M.Abs(M.Sub(a, b))))));
    }

    /// <summary><c>∂ log(e^a + e^b) / ∂a = σ(a − b)</c>, and 0 when both are −∞ (no gradient through an empty
    /// log-sum-exp, as <c>Ops.LogAddExp</c>).</summary>
    public static T LogAddExpWeight<T, M>(T a, T b) where M : IPairMath<T>
    {
        var empty = M.Eq(M.Max(a, b), M.Const(double.NegativeInfinity));
        return M.Select(empty, M.Const(0.0), M.Sigmoid(M.Sub(a, b)));
    }
}
