namespace LossDsl.Runtime.Kernels;

/// <summary>Which pairs (i, j) a reduction visits. Labels reach a mask as small dense ids of type T (the
/// engine maps int64 labels to 0, 1, 2, ... once per call, so they compare exactly in float lanes); indices
/// are global column indices as T.</summary>
public interface IPairMask
{
    /// <summary>Whether <see cref="Keep"/> reads labels (the caller must then supply them).</summary>
    static abstract bool ReadsLabels { get; }

    /// <summary>Whether the pairs carry weights w_ij from a dense [N, M] matrix (passed to the formula as W).</summary>
    static abstract bool ReadsWeights { get; }

    /// <summary>Whether every kept pair has equal labels: the engine then visits only each row's label group
    /// (O(Σ_label rows·columns·D) instead of O(N·M·D)) — a contrastive batch's positives are a tiny fraction of
    /// its pairs.</summary>
    static abstract bool KeepsSameLabelOnly { get; }

    /// <summary>The mask of kept pairs for row <paramref name="row"/> and the columns whose indices are
    /// <paramref name="column"/>.</summary>
    T Keep<T, M>(int row, T column, T rowLabel, T columnLabel) where M : IPairMath<T>;
}

/// <summary>Every pair.</summary>
public struct AllPairs : IPairMask
{
    public static bool ReadsLabels => false;
    public static bool ReadsWeights => false;
    public static bool KeepsSameLabelOnly => false;
    public T Keep<T, M>(int row, T column, T rowLabel, T columnLabel) where M : IPairMath<T> => M.True;
}

/// <summary>Pairs whose row and column labels are equal (the diagonal included).</summary>
public struct SameLabel : IPairMask
{
    public static bool ReadsLabels => true;
    public static bool ReadsWeights => false;
    public static bool KeepsSameLabelOnly => true;
    public T Keep<T, M>(int row, T column, T rowLabel, T columnLabel) where M : IPairMath<T> => M.Eq(rowLabel, columnLabel);
}

/// <summary>Pairs whose labels differ.</summary>
public struct DifferentLabel : IPairMask
{
    public static bool ReadsLabels => true;
    public static bool ReadsWeights => false;
    public static bool KeepsSameLabelOnly => false;
    public T Keep<T, M>(int row, T column, T rowLabel, T columnLabel) where M : IPairMath<T> => M.Ne(rowLabel, columnLabel);
}

/// <summary>The pairs of <typeparamref name="TInner"/> except row i with column <c>i + Offset</c> (Offset 0 for
/// a batch against itself; the row's position in a queue or a gathered multi-process batch otherwise).</summary>
public struct ExcludeSelf<TInner> : IPairMask where TInner : struct, IPairMask
{
    /// <summary>The column of row 0's own sample.</summary>
    public int Offset;
    /// <summary>The mask this one narrows.</summary>
    public TInner Inner;

    public ExcludeSelf(TInner inner, int offset = 0) { Inner = inner; Offset = offset; }

    public static bool ReadsLabels => TInner.ReadsLabels;
    public static bool ReadsWeights => TInner.ReadsWeights;
    public static bool KeepsSameLabelOnly => TInner.KeepsSameLabelOnly;
    public T Keep<T, M>(int row, T column, T rowLabel, T columnLabel) where M : IPairMath<T> =>
        M.And(Inner.Keep<T, M>(row, column, rowLabel, columnLabel), M.Ne(column, M.Const(row + Offset)));
}

/// <summary>The "other view" pairing of a batch of two views [view 1; view 2] of <c>Count / 2</c> samples:
/// row i is paired only with column <c>(i + Count/2) mod Count</c> (SimCLR's positives).</summary>
public struct OtherView : IPairMask
{
    /// <summary>Rows of the batch (even).</summary>
    public int Count;

    public OtherView(int count) => Count = count;

    public static bool ReadsLabels => false;
    public static bool ReadsWeights => false;
    public static bool KeepsSameLabelOnly => false;
    public T Keep<T, M>(int row, T column, T rowLabel, T columnLabel) where M : IPairMath<T> =>
        M.Eq(column, M.Const((row + Count / 2) % Count));
}

/// <summary>Every pair, each with its weight w_ij from a dense [N, M] matrix the caller supplies (soft or
/// mixup graphs: the formula reads it as <see cref="PairInputs{T}.W"/>, e.g. <c>W · f</c>).</summary>
public struct WeightMatrix : IPairMask
{
    public static bool ReadsLabels => false;
    public static bool ReadsWeights => true;
    public static bool KeepsSameLabelOnly => false;
    public T Keep<T, M>(int row, T column, T rowLabel, T columnLabel) where M : IPairMath<T> => M.True;
}

/// <summary>Facts about the mask structs.</summary>
internal static class PairMasks
{
    /// <summary>Whether <paramref name="mask"/> keeps (i, j) exactly when it keeps (j, i) on a self relation with one
    /// label vector for rows and columns: all pairs, same or different label, and those without the diagonal (offset
    /// 0). Not a weight matrix (its weights need not be symmetric), not the other view (asymmetric for an odd batch),
    /// not a diagonal with an offset.</summary>
    public static bool IsSymmetric<TM>(TM mask) where TM : struct, IPairMask => (object)mask switch
    {
        AllPairs or SameLabel or DifferentLabel => true,
        ExcludeSelf<AllPairs> { Offset: 0 } or ExcludeSelf<SameLabel> { Offset: 0 } or ExcludeSelf<DifferentLabel> { Offset: 0 } => true,
        _ => false,
    };
}
