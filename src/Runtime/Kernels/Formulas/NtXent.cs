namespace LossDsl.Runtime.Kernels.Formulas;

/// <summary>NT-Xent's negatives: <c>lse_i = log Σ_{j : y_j ≠ y_i} e^{s_ij / τ}</c>. Region 1 of
/// <c>NtXent.Contrast</c>; engine call: <c>LogSumExpReduce</c> over <c>DifferentLabel</c>.</summary>
public struct NtXentNegatives : IPairFormula
{
    /// <summary>1 / τ.</summary>
    public double InvTemperature;

    public NtXentNegatives(double temperature) => InvTemperature = 1.0 / temperature;

    public static int RowValueCount => 0;
    public static int ColumnValueCount => 0;
    public static bool ReadsSecondRelation => false;

    // f = s · (1/τ)
    public T Value<T, M>(PairInputs<T> p) where M : IPairMath<T> => M.Mul(p.S, M.Const(InvTemperature));

    // ∂f/∂s = 1/τ
    public PairPartials<T> Partials<T, M>(PairInputs<T> p) where M : IPairMath<T> =>
        new() { F = M.Mul(p.S, M.Const(InvTemperature)), S = M.Const(InvTemperature) };
}

/// <summary>NT-Xent's positives: <c>f_ij = softplus(lse_i − s_ij / τ)</c> with the negatives' log-sum-exp as row
/// value 0. Region 2 of <c>NtXent.Contrast</c>; engine call: <c>SumReduce</c> over
/// <c>ExcludeSelf&lt;SameLabel&gt;</c>, mean over pairs.</summary>
public struct NtXentPositives : IPairFormula
{
    /// <summary>1 / τ.</summary>
    public double InvTemperature;

    public NtXentPositives(double temperature) => InvTemperature = 1.0 / temperature;

    public static int RowValueCount => 1;
    public static int ColumnValueCount => 0;
    public static bool ReadsSecondRelation => false;

    // f = softplus(v0_i − s · (1/τ))
    public T Value<T, M>(PairInputs<T> p) where M : IPairMath<T> =>
        M.Softplus(M.Sub(p.R0, M.Mul(p.S, M.Const(InvTemperature))));

    // a = v0_i − s/τ;  ∂f/∂s = −σ(a) / τ;  ∂f/∂v0_i = σ(a)
    public PairPartials<T> Partials<T, M>(PairInputs<T> p) where M : IPairMath<T>
    {
        var a = M.Sub(p.R0, M.Mul(p.S, M.Const(InvTemperature)));
        var sigma = M.Sigmoid(a);
        return new() { F = M.Softplus(a), S = M.Neg(M.Mul(sigma, M.Const(InvTemperature))), R0 = sigma };
    }
}
