namespace LossDsl.Runtime.Kernels.Formulas;

/// <summary>SupCon's denominator: <c>lse_i = log Σ_{j ≠ i} e^{s_ij / τ}</c>; engine call: <c>LogSumExpReduce</c>
/// over <c>ExcludeSelf&lt;AllPairs&gt;</c> (the same struct as <see cref="NtXentNegatives"/>, another mask).</summary>
public struct SupConDenominator : IPairFormula
{
    /// <summary>1 / τ.</summary>
    public double InvTemperature;

    public SupConDenominator(double temperature) => InvTemperature = 1.0 / temperature;

    public static int RowValueCount => 0;
    public static int ColumnValueCount => 0;
    public static bool ReadsSecondRelation => false;

    // f = s · (1/τ)
    public T Value<T, M>(PairInputs<T> p) where M : IPairMath<T> => M.Mul(p.S, M.Const(InvTemperature));

    // ∂f/∂s = 1/τ
    public PairPartials<T> Partials<T, M>(PairInputs<T> p) where M : IPairMath<T> =>
        new() { F = M.Mul(p.S, M.Const(InvTemperature)), S = M.Const(InvTemperature) };
}

/// <summary>SupCon's positives (pytorch-metric-learning's <c>SupConLoss</c>): <c>f_ij = lse_i − s_ij / τ</c>, the
/// negative log-probability of positive j; engine call: <c>SumReduce</c> over <c>ExcludeSelf&lt;SameLabel&gt;</c>,
/// row mean (then the mean over anchors with a positive value, in TorchSharp: O(N)).</summary>
public struct SupConPositives : IPairFormula
{
    /// <summary>1 / τ.</summary>
    public double InvTemperature;

    public SupConPositives(double temperature) => InvTemperature = 1.0 / temperature;

    public static int RowValueCount => 1;
    public static int ColumnValueCount => 0;
    public static bool ReadsSecondRelation => false;

    // f = v0_i − s · (1/τ)
    public T Value<T, M>(PairInputs<T> p) where M : IPairMath<T> => M.Sub(p.R0, M.Mul(p.S, M.Const(InvTemperature)));

    // ∂f/∂s = −1/τ;  ∂f/∂v0_i = 1
    public PairPartials<T> Partials<T, M>(PairInputs<T> p) where M : IPairMath<T> =>
        new() { F = M.Sub(p.R0, M.Mul(p.S, M.Const(InvTemperature))), S = M.Const(-InvTemperature), R0 = M.Const(1) };
}
