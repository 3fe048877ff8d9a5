using System;

namespace LossDsl.Runtime.Assignment;

/// <summary>The rows (or columns) of a sub-matrix, ascending: a contiguous range, or any list. A solver reads a
/// block whose rows and columns are both ranges in place, without copying it.</summary>
internal readonly ref struct AxisIndices
{
    private readonly ReadOnlySpan<int> _list;
    private readonly int _start;

    private AxisIndices(ReadOnlySpan<int> list, int start, int count, bool isRange)
    {
        _list = list;
        _start = start;
        Count = count;
        IsRange = isRange;
    }

    /// <summary>How many indices.</summary>
    public int Count { get; }

    /// <summary>Whether the indices are start, start + 1, …</summary>
    public bool IsRange { get; }

    /// <summary>The <paramref name="k"/>-th index.</summary>
    public int this[int k] => IsRange ? _start + k : _list[k];

    /// <summary>start, start + 1, …, start + count − 1.</summary>
    public static AxisIndices Range(int start, int count) => new(default, start, count, true);

    /// <summary>The given indices (recognised as a range when they are one).</summary>
    public static AxisIndices Of(ReadOnlySpan<int> indices)
    {
        for (var k = 1; k < indices.Length; k++)
            if (indices[k] != indices[0] + k) return new AxisIndices(indices, 0, indices.Length, false);
        return new AxisIndices(default, indices.IsEmpty ? 0 : indices[0], indices.Length, true);
    }
}
