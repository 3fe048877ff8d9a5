namespace LossDsl.Runtime.Kernels.Formulas;

/// <summary>Multi-similarity's two sets (pytorch-metric-learning's <c>MultiSimilarityLoss</c>):
/// <c>f = scale · (s − base)</c>, log-sum-exp'd per anchor over the positives (scale = −α) and over the negatives
/// (scale = β); the loss is then <c>mean_i softplus(lse⁺_i)/α + softplus(lse⁻_i)/β</c> (O(N), in TorchSharp).</summary>
public struct MultiSimilarityTerm : IPairFormula
{
    /// <summary>−α for the positives, β for the negatives.</summary>
    public double Scale;
    /// <summary>The similarity offset (base, default 0.5).</summary>
    public double Base;

    public MultiSimilarityTerm(double scale, double @base) { Scale = scale; Base = @base; }

    public static int RowValueCount => 0;
    public static int ColumnValueCount => 0;
    public static bool ReadsSecondRelation => false;

    // f = scale · (s − base)
    public T Value<T, M>(PairInputs<T> p) where M : IPairMath<T> => M.Mul(M.Const(Scale), M.Sub(p.S, M.Const(Base)));

    // ∂f/∂s = scale
    public PairPartials<T> Partials<T, M>(PairInputs<T> p) where M : IPairMath<T> =>
        new() { F = M.Mul(M.Const(Scale), M.Sub(p.S, M.Const(Base))), S = M.Const(Scale) };
}

/// <summary>The contrastive loss's positive pairs: <c>f = relu(d − m_pos)</c>; engine call: <c>SumReduce</c> over
/// <c>ExcludeSelf&lt;SameLabel&gt;</c> with the Euclidean metric, mean over the non-zero pairs (AvgNonZero).</summary>
public struct ContrastivePositive : IPairFormula
{
    /// <summary>m_pos (default 0).</summary>
    public double Margin;

    public ContrastivePositive(double margin) => Margin = margin;

    public static int RowValueCount => 0;
    public static int ColumnValueCount => 0;
    public static bool ReadsSecondRelation => false;

    // f = relu(s − m)
    public T Value<T, M>(PairInputs<T> p) where M : IPairMath<T> => M.Relu(M.Sub(p.S, M.Const(Margin)));

    // ∂f/∂s = step(s − m)
    public PairPartials<T> Partials<T, M>(PairInputs<T> p) where M : IPairMath<T>
    {
        var a = M.Sub(p.S, M.Const(Margin));
        return new() { F = M.Relu(a), S = M.Step(a) };
    }
}

/// <summary>The contrastive loss's negative pairs: <c>f = relu(m_neg − d)</c>; engine call: <c>SumReduce</c> over
/// <c>DifferentLabel</c>, mean over the non-zero pairs.</summary>
public struct ContrastiveNegative : IPairFormula
{
    /// <summary>m_neg (default 1).</summary>
    public double Margin;

    public ContrastiveNegative(double margin) => Margin = margin;

    public static int RowValueCount => 0;
    public static int ColumnValueCount => 0;
    public static bool ReadsSecondRelation => false;

    // f = relu(m − s)
    public T Value<T, M>(PairInputs<T> p) where M : IPairMath<T> => M.Relu(M.Sub(M.Const(Margin), p.S));

    // ∂f/∂s = −step(m − s)
    public PairPartials<T> Partials<T, M>(PairInputs<T> p) where M : IPairMath<T>
    {
        var a = M.Sub(M.Const(Margin), p.S);
        return new() { F = M.Relu(a), S = M.Neg(M.Step(a)) };
    }
}
