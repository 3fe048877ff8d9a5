namespace LossDsl.Runtime.Kernels;

/// <summary>How a row's kept pairs are combined.</summary>
public enum ReduceKind
{
    /// <summary>Σ_j f_ij, with the exact counts of kept pairs and of pairs with f &gt; 0 (means, AvgNonZero).</summary>
    Sum,
    /// <summary>log Σ_j e^{f_ij}, online and max-shifted; −∞ for an empty row.</summary>
    LogSumExp,
    /// <summary>max_j f_ij and its column (the first on ties); −∞ and column −1 for an empty row.</summary>
    Max,
    /// <summary>min_j f_ij and its column; +∞ and column −1 for an empty row.</summary>
    Min,
}

/// <summary>The reduction type argument of the engine (a struct per <see cref="ReduceKind"/>, so the JIT
/// compiles one loop per reduction).</summary>
public interface IPairReduce
{
    /// <summary>The reduction.</summary>
    static abstract ReduceKind Kind { get; }
}

/// <summary>Σ_j f_ij (see <see cref="ReduceKind.Sum"/>).</summary>
public struct SumReduce : IPairReduce { public static ReduceKind Kind => ReduceKind.Sum; }

/// <summary>log Σ_j e^{f_ij} (see <see cref="ReduceKind.LogSumExp"/>).</summary>
public struct LogSumExpReduce : IPairReduce { public static ReduceKind Kind => ReduceKind.LogSumExp; }

/// <summary>max_j f_ij with arg-index (see <see cref="ReduceKind.Max"/>).</summary>
public struct MaxReduce : IPairReduce { public static ReduceKind Kind => ReduceKind.Max; }

/// <summary>min_j f_ij with arg-index (see <see cref="ReduceKind.Min"/>).</summary>
public struct MinReduce : IPairReduce { public static ReduceKind Kind => ReduceKind.Min; }

/// <summary>The metric of the leaf s_ij.</summary>
public enum PairMetric
{
    /// <summary>⟨x_i, y_j⟩.</summary>
    Dot,
    /// <summary>⟨x_i, y_j⟩ / (‖x_i‖ · ‖y_j‖); 0, with no gradient, where a row is zero (as <c>Ops.Normalize</c> leaves a
    /// zero row). Through <c>PairFunction</c> on the CPU the rows are normalised exactly at any magnitude (unit rows and
    /// a dot product, <c>CosineRows</c>), on an accelerator through <c>Ops.Normalize</c>; the engine called directly (and
    /// a second relation) scales raw products by 1 / max(‖·‖, 1e-12), F.normalize's floor.</summary>
    Cosine,
    /// <summary>√max(‖x_i‖² + ‖y_j‖² − 2⟨x_i, y_j⟩, 0) (RepDistiller's pdist without its 1e-12 floor): exactly 0, with no gradient, for equal rows and on a self relation's diagonal.</summary>
    Euclidean,
    /// <summary>max(‖x_i‖² + ‖y_j‖² − 2⟨x_i, y_j⟩, 0); 0 on a self relation's diagonal.</summary>
    SqEuclidean,
}
