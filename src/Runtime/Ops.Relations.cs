using System;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

public static partial class Ops
{
    /// <summary>The relation <c>r_ij = metric(x_i, y_j)</c>, <c>[N, M]</c>. Metrics: <c>Dot</c>
    /// (<c>x yᵀ</c>), <c>Cosine</c> (rows normalised, then dot), <c>Euclidean</c>
    /// (<c>√max(|x_i|² + |y_j|² − 2 x_i·y_j, 1e-12)</c>, RepDistiller's RKD <c>pdist</c>) and
    /// <c>SqEuclidean</c> (<c>max(…, 0)</c>). With <paramref name="self"/> (y is x) the two distances
    /// have an exact-zero diagonal that passes no gradient.</summary>
    /// <exception cref="ArgumentException"><paramref name="metric"/> is none of the four.</exception>
    public static Tensor Pairwise(Tensor x, Tensor y, string metric, bool self) => metric switch
    {
        "Dot" => x.matmul(y.t()),
        "Cosine" => CosinePairs(x, y, self),
        "Euclidean" => ZeroDiagonal(ClampMin(SquaredDistances(x, y), 1e-12).sqrt(), self),
        "SqEuclidean" => ZeroDiagonal(ClampMin(SquaredDistances(x, y), 0), self),
        _ => throw new ArgumentException(
            $"Unknown pairwise metric '{metric}'; expected Dot, Cosine, Euclidean or SqEuclidean.", nameof(metric)),
    };

    /// <summary><c>r / mean(r_ij : r_ij &gt; 0)</c>; the normaliser is differentiated (RKD). With no
    /// positive entry the relation is returned unscaled rather than divided by NaN.</summary>
    public static Tensor MeanNormalized(Tensor r)
    {
        var positive = Gt(r.detach(), 0);
        var count = positive.sum();
        var mean = Fill(r, positive.logical_not(), 0).sum() / ClampMin(count, 1);
        return r / where(Gt(count, 0), mean, ones_like(mean));
    }

    /// <summary>Pairs with equal labels, Bool <c>[N, N]</c> (diagonal included).</summary>
    public static Tensor SameLabel(Tensor y) => y.unsqueeze(1).eq(y.unsqueeze(0));

    /// <summary>Pairs with different labels, Bool <c>[N, N]</c>.</summary>
    public static Tensor DifferentLabel(Tensor y) => y.unsqueeze(1).ne(y.unsqueeze(0));

    /// <summary>Every pair of a batch of <paramref name="n"/>, Bool <c>[n, n]</c>, all true.</summary>
    public static Tensor AllPairs(long n, Device device) => ones(n, n, ScalarType.Bool, device);

    /// <summary><paramref name="g"/> without the pairs <c>(i, i)</c>.</summary>
    public static Tensor ExcludeSelf(Tensor g) => g.logical_and(Eye(g).logical_not());

    /// <summary>The relation <paramref name="r"/> restricted to the pairs of graph <paramref name="g"/>.</summary>
    public static MaskedRelation Over(Tensor r, Tensor g) => new(r, g);

    private static Tensor CosinePairs(Tensor x, Tensor y, bool self)
    {
        var nx = Normalize(x);
        return nx.matmul((self ? nx : Normalize(y)).t());
    }

    // Same order of operations as RepDistiller's pdist, so results agree to the last bits.
    private static Tensor SquaredDistances(Tensor x, Tensor y) =>
        Sub(Add(Square(x).sum(1).unsqueeze(1), Square(y).sum(1).unsqueeze(0)), Mul(2, x.matmul(y.t())));

    private static Tensor ZeroDiagonal(Tensor r, bool self) => self ? Fill(r, Eye(r), 0) : r;

    private static Tensor Eye(Tensor like) => eye(like.shape[0], like.shape[1], ScalarType.Bool, like.device);
}
