namespace LossDsl.Runtime.Kernels;

/// <summary>What a formula reads at one pair (i, j): the leaves of its expression tree. In the CPU engine each
/// field is a vector over consecutive columns j (row values broadcast); in ILGPU kernels, one number.</summary>
/// <typeparam name="T">The number type (see <see cref="IPairMath{T}"/>).</typeparam>
public struct PairInputs<T>
{
    /// <summary>The metric leaf s_ij = metric(x_i, y_j).</summary>
    public T S;
    /// <summary>The second relation's leaf s2_ij = metric2(x2_i, y2_j) (e.g. RKD's teacher distances); read only
    /// by formulas that declare <see cref="IPairFormula.ReadsSecondRelation"/>; it receives no gradient.</summary>
    public T S2;
    /// <summary>The pair weight w_ij (1 unless the mask carries a weight matrix).</summary>
    public T W;
    /// <summary>Per-row values v_i (e.g. a fused log-sum-exp); zero when not supplied.</summary>
    public T R0, R1;
    /// <summary>Per-column values u_j; zero when not supplied.</summary>
    public T C0, C1;
}

/// <summary>The value of a formula at a pair and its partial derivatives with respect to every differentiable
/// leaf. A partial of a leaf the formula does not read is left at its default (zero).</summary>
/// <typeparam name="T">The number type.</typeparam>
public struct PairPartials<T>
{
    /// <summary>f.</summary>
    public T F;
    /// <summary>∂f/∂s.</summary>
    public T S;
    /// <summary>∂f/∂v_i (row values).</summary>
    public T R0, R1;
    /// <summary>∂f/∂u_j (column values).</summary>
    public T C0, C1;
}

/// <summary>The contract between the generator and the engines: one struct per fused region, holding the
/// region's host numbers (temperature, margin, ...) as fields and computing the per-pair value f and its
/// partials in the vocabulary of <see cref="IPairMath{T}"/>. The engine does everything else (metric, mask,
/// reduction, loops, gradients through the metric). See docs/kernels.md.</summary>
/// <remarks>Both methods are generic over the number type and its math, so one struct runs in the SIMD CPU
/// engine (T a vector), in ILGPU kernels (T a scalar, CPU and CUDA accelerators) and in scalar references.
/// They must be pure functions of their inputs and fields.</remarks>
public interface IPairFormula
{
    /// <summary>How many row values (0–2) the formula reads: R0, then R1.</summary>
    static abstract int RowValueCount { get; }

    /// <summary>How many column values (0–2) the formula reads: C0, then C1.</summary>
    static abstract int ColumnValueCount { get; }

    /// <summary>Whether the formula reads <see cref="PairInputs{T}.S2"/>.</summary>
    static abstract bool ReadsSecondRelation { get; }

    /// <summary>f at one pair (or one vector of pairs).</summary>
    T Value<T, M>(PairInputs<T> p) where M : IPairMath<T>;

    /// <summary>f and its partials at one pair (or one vector of pairs).</summary>
    PairPartials<T> Partials<T, M>(PairInputs<T> p) where M : IPairMath<T>;
}
