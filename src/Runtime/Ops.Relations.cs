using System;
using LossDsl.Ir;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

public static partial class Ops
{
    /// <summary>The relation <c>r_ij = metric(x_i, y_j)</c> of the rows of <paramref name="x"/> <c>[..., N, D]</c>
    /// and <paramref name="y"/> <c>[..., M, D]</c>, <c>[..., N, M]</c> (leading axes are batch axes: the tokens of each
    /// sample). Metrics: <c>Dot</c> (<c>x yᵀ</c>), <c>Cosine</c> (rows normalised, then dot), <c>Euclidean</c>
    /// (<c>√max(|x_i|² + |y_j|² − 2 x_i·y_j, 1e-12)</c>, RepDistiller's RKD <c>pdist</c>), <c>SqEuclidean</c>
    /// (<c>max(…, 0)</c>), <c>L1</c> (<c>torch.cdist(p=1)</c>) and <c>GeneralizedIoU</c> of boxes <c>(cx, cy, w, h)</c>
    /// (DETR's <c>generalized_box_iou</c>). With <paramref name="self"/> (y is x) the
    /// distances have an exact-zero diagonal that passes no gradient.</summary>
    /// <exception cref="ArgumentException"><paramref name="metric"/> is not one of these.</exception>
    public static Tensor Pairwise(Tensor x, Tensor y, Metric metric, bool self) => metric switch
    {
        Metric.Dot => x.matmul(y.transpose(-2, -1)),
        Metric.Cosine => CosinePairs(x, y, self),
        Metric.Euclidean => ZeroDiagonal(ClampMin(SquaredDistances(x, y), 1e-12).sqrt(), self),
        Metric.SqEuclidean => ZeroDiagonal(ClampMin(SquaredDistances(x, y), 0), self),
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
    /// positive entry the relation is returned unscaled rather than divided by NaN.</summary>
    public static Tensor MeanNormalized(Tensor r)
    {
        var positive = Gt(r.detach(), 0);
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

    // Same order of operations as RepDistiller's pdist, so results agree to the last bits.
    private static Tensor SquaredDistances(Tensor x, Tensor y) =>
        Sub(Add(Square(x).sum(-1).unsqueeze(-1), Square(y).sum(-1).unsqueeze(-2)), Mul(2, x.matmul(y.transpose(-2, -1))));

    private static Tensor ZeroDiagonal(Tensor r, bool self) => self ? Fill(r, Eye(r), 0) : r;

    private static Tensor Eye(Tensor like) => eye(like.shape[^2], like.shape[^1], ScalarType.Bool, like.device);
}
