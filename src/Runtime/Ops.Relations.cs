using System;
using System.Linq;
using LossDsl.Ir;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

public static partial class Ops
{
    /// <summary>The relation <c>r_ij = metric(x_i, y_j)</c> of the rows of <paramref name="x"/> <c>[..., N, D]</c>
    /// and <paramref name="y"/> <c>[..., M, D]</c>, <c>[..., N, M]</c> (leading axes are batch axes: the tokens of each
    /// sample). Metrics: <c>Dot</c> (<c>x yᵀ</c>), <c>Cosine</c> (rows normalised, then dot), <c>Euclidean</c>
    /// (<c>√(|x_i|² + |y_j|² − 2 x_i·y_j)</c>, the expansion of RepDistiller's RKD <c>pdist</c>), <c>SqEuclidean</c>
    /// (its square), <c>L1</c> (<c>torch.cdist(p=1)</c>) and <c>GeneralizedIoU</c> of boxes <c>(cx, cy, w, h)</c>
    /// (DETR's <c>generalized_box_iou</c>). Euclidean distances of identical rows (the diagonal of a self relation, and
    /// any two equal rows) are exactly 0 and pass no gradient (a subgradient of the norm at 0), in every dtype: no
    /// epsilon floor (RepDistiller's <c>clamp(min=1e-12)</c> makes them 1e-6 apart, which <c>relu(d − 0)</c> then counts
    /// as a positive term). They are computed on <c>x/M, y/M</c> with <c>M</c> the operands' largest magnitude and scaled
    /// back, so the squares neither overflow nor underflow while the distances are representable.</summary>
    /// <exception cref="ArgumentException"><paramref name="metric"/> is not one of these.</exception>
    public static Tensor Pairwise(Tensor x, Tensor y, Metric metric, bool self) => metric switch
    {
        Metric.Dot => x.matmul(y.transpose(-2, -1)),
        Metric.Cosine => CosinePairs(x, y, self),
        Metric.Euclidean => ZeroDiagonal(EuclideanPairs(x, y, self, squared: false), self),
        Metric.SqEuclidean => ZeroDiagonal(EuclideanPairs(x, y, self, squared: true), self),
        Metric.L1 => ZeroDiagonal(Sub(x.unsqueeze(-2), y.unsqueeze(-3)).abs().sum(-1), self),
        Metric.GeneralizedIoU => Assignment.BoxOps.PairwiseGeneralizedIoU(Assignment.BoxOps.BoxCxcywhToXyxy(x), Assignment.BoxOps.BoxCxcywhToXyxy(y)),
        _ => throw new ArgumentException($"Unknown pairwise metric '{metric}'.", nameof(metric)),
    };

    /// <summary>RKD's angle relation of the rows of <paramref name="x"/> <c>[N, D]</c>:
    /// <c>a_ijk = ⟨e_ij, e_ik⟩</c> with <c>e_ij = normalize(x_j − x_i)</c> (0 where x_j = x_i), <c>[N, N, N]</c>,
    /// computed as RepDistiller's <c>RKDLoss</c> does.</summary>
    public static Tensor Angles(Tensor x)
    {
        var differences = Sub(x.unsqueeze(0), x.unsqueeze(1));
        var unit = Normalize(differences);
        return unit.matmul(unit.transpose(-2, -1));
    }

    /// <summary><c>r / mean(r_ij : r_ij &gt; 0)</c>; the normaliser is differentiated (RKD). With no
    /// positive entry the relation is returned unscaled rather than divided by NaN. A NaN entry joins the normaliser's
    /// mean (so it propagates to every entry) instead of being filtered out.</summary>
    public static Tensor MeanNormalized(Tensor r)
    {
        var positive = PositiveOrNaN(r.detach());
        var count = positive.sum();
        var mean = Fill(r, positive.logical_not(), 0).sum() / ClampMin(count, 1);
        return r / where(Gt(count, 0), mean, ones_like(mean));
    }

    /// <summary>Rows and columns swapped: <c>(rᵀ)_ij = r_ji</c>.</summary>
    public static Tensor Transpose(Tensor r) => r.transpose(-2, -1);

    /// <summary>A vector as the value of each row, <c>[..., N, 1]</c>.</summary>
    public static Tensor PerRow(Tensor v) => v.unsqueeze(-1);

    /// <summary>A vector as the value of each column, <c>[..., 1, N]</c>.</summary>
    public static Tensor PerColumn(Tensor v) => v.unsqueeze(-2);

    private static Tensor CosinePairs(Tensor x, Tensor y, bool self)
    {
        var nx = Normalize(x);
        return nx.matmul((self ? nx : Normalize(y)).transpose(-2, -1));
    }

    /// <summary><c>‖x_i − y_j‖</c> (or its square) of every pair; see <see cref="Pairwise"/>.</summary>
    private static Tensor EuclideanPairs(Tensor x, Tensor y, bool self, bool squared)
    {
        // One scale for both operands, not differentiated: d(x, y) = M · d(x/M, y/M) exactly.
        var largest = self ? LargestMagnitude(x) : LargestMagnitude(x).maximum(LargestMagnitude(y));
        var scale = Fill(largest, Eq(largest, 0), 1);
        var xs = Div(x, scale);
        var ys = self ? xs : Div(y, scale);
        var sq = SquaredDistances(xs, ys);
        // The expansion leaves ±rounding where rows coincide: equal rows are 0, and so is a rounded negative. A NaN
        // square is neither, so it stays NaN. Filled entries pass no gradient (no √ at 0).
        var zero = Le(sq.detach(), 0).logical_or(EqualRows(x, y, self));
        if (squared) return Mul(Fill(sq, zero, 0), Square(scale));
        return Mul(Fill(Fill(sq, zero, 1).sqrt(), zero, 0), scale);
    }

    /// <summary>The largest |x| over all entries, a detached 0-d tensor (0 for an empty tensor; NaN if any entry is NaN).</summary>
    private static Tensor LargestMagnitude(Tensor x) =>
        x.numel() == 0 ? zeros(new long[0], x.dtype, x.device) : x.detach().abs().amax(System.Array.Empty<long>());

    /// <summary>Pairs <c>(i, j)</c> whose rows are equal entry for entry and finite, Bool <c>[..., N, M]</c>
    /// (rows are compared through <c>unique</c>: O(N·D) memory, never N×M×D).</summary>
    private static Tensor EqualRows(Tensor x, Tensor y, bool self)
    {
        var width = x.shape[^1];
        var rowsX = x.shape[..^1];
        var rowsY = y.shape[..^1];
        var countX = rowsX.Aggregate(1L, (a, b) => a * b);
        var countY = rowsY.Aggregate(1L, (a, b) => a * b);
        var shape = rowsX.Append(rowsY[^1]).ToArray();
        if (width == 0) return ones(shape, ScalarType.Bool, x.device);
        if (countX == 0 || countY == 0) return zeros(shape, ScalarType.Bool, x.device);
        using var scope = NewDisposeScope();
        var flatX = x.detach().reshape(countX, width);
        var all = self ? flatX : cat(new[] { flatX, y.detach().to(x.dtype).reshape(countY, width) }, 0);
        var (_, inverse, _) = all.unique(sorted: true, return_inverse: true, dim: 0);
        // A row with NaN or ±∞ is never equal to another: its distance is not 0.
        var finite = all.isfinite().all(-1);
        var idX = inverse!.narrow(0, 0, countX).reshape(rowsX);
        var idY = self ? idX : inverse!.narrow(0, countX, countY).reshape(rowsY);
        var finiteX = finite.narrow(0, 0, countX).reshape(rowsX);
        var finiteY = self ? finiteX : finite.narrow(0, countX, countY).reshape(rowsY);
        var equal = idX.unsqueeze(-1).eq(idY.unsqueeze(-2))
            .logical_and(finiteX.unsqueeze(-1)).logical_and(finiteY.unsqueeze(-2));
        return equal.MoveToOuterDisposeScope();
    }

    // Same order of operations as RepDistiller's pdist.
    private static Tensor SquaredDistances(Tensor x, Tensor y) =>
        Sub(Add(Square(x).sum(-1).unsqueeze(-1), Square(y).sum(-1).unsqueeze(-2)), Mul(2, x.matmul(y.transpose(-2, -1))));

    private static Tensor ZeroDiagonal(Tensor r, bool self) => self ? Fill(r, Eye(r), 0) : r;

    private static Tensor Eye(Tensor like) => eye(like.shape[^2], like.shape[^1], ScalarType.Bool, like.device);
}
