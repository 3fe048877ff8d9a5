using System;
using System.Linq;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

public static partial class Ops
{
    /// <summary>The entry of each row at its label, <c>x[..., y]</c>: <c>[..., C]</c> at <c>[...]</c> is
    /// <c>[...]</c> (the target logit); 0 where the label is <paramref name="ignore"/>.</summary>
    public static Tensor Pick(Tensor x, Tensor labels, long? ignore = null)
    {
        var valid = Valid(labels, ignore);
        var safe = Fill(labels.to(ScalarType.Int64), valid.logical_not(), 0);
        var picked = x.gather(-1, safe.unsqueeze(-1)).squeeze(-1);
        return ignore is null ? picked : Fill(picked, valid.logical_not(), 0);
    }

    /// <summary>The rows of <paramref name="table"/> <c>[T, ...]</c> at every entry of <paramref name="index"/>
    /// <c>[...I]</c>: <c>[...I, ...]</c>. Gradients reach the rows read (summed where a row is read twice).</summary>
    public static Tensor Rows(Tensor table, Tensor index)
    {
        var rows = table.index_select(0, index.to(ScalarType.Int64).reshape(-1));
        return rows.reshape(index.shape.Concat(table.shape.Skip(1)).ToArray());
    }

    /// <summary>The columns of the last axis at <paramref name="index"/> <c>[G]</c>: <c>[..., C]</c> → <c>[..., G]</c>.</summary>
    public static Tensor Columns(Tensor x, Tensor index) => x.index_select(-1, index.to(ScalarType.Int64));

    /// <summary>Column <paramref name="k"/> of an index tensor, <c>[..., K]</c> → <c>[...]</c>.</summary>
    public static Tensor Column(Tensor indices, long k) => indices.select(-1, k);

    /// <summary>Part <paramref name="k"/> of <paramref name="parts"/> equal parts of the last axis.</summary>
    /// <exception cref="ArgumentException">The last axis does not split into equal parts.</exception>
    public static Tensor Part(Tensor x, long k, long parts)
    {
        var size = x.shape[^1];
        if (size % parts != 0)
            throw new ArgumentException($"Part({k}, of: {parts}) needs a last axis that splits into {parts} equal parts, got {size}.");
        var width = size / parts;
        return x.narrow(-1, k * width, width);
    }
}
