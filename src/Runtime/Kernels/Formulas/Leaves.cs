namespace LossDsl.Runtime.Kernels.Formulas;

/// <summary><c>f = scale · s</c>: the scaled relation every contrastive log-sum-exp reduces (NT-Xent's and
/// SupCon's <c>s/τ</c>: scale = 1/τ), and the plain leaf <c>f = s</c> (scale 1: batch-hard mining, RKD's
/// distance sums).</summary>
public struct ScaledRelation : IPairFormula
{
    /// <summary>The host number multiplying s (1/τ for a temperature τ).</summary>
    public double Scale;

    public ScaledRelation(double scale) => Scale = scale;

    public static int RowValueCount => 0;
    public static int ColumnValueCount => 0;
    public static bool ReadsSecondRelation => false;

    // f = scale · s
    public T Value<T, M>(PairInputs<T> p) where M : IPairMath<T> => M.Mul(M.Const(Scale), p.S);

    // ∂f/∂s = scale
    public PairPartials<T> Partials<T, M>(PairInputs<T> p) where M : IPairMath<T> =>
        new() { F = M.Mul(M.Const(Scale), p.S), S = M.Const(Scale) };
}
