using System;
using LossDsl.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Runtime.Kernels.Formulas;
using LossDsl.Tests.Fusion;
using static TorchSharp.torch;

namespace LossDsl.Tests.Kernels;

/// <summary>A log-sum-exp over a self relation with a symmetric formula and mask runs its forward and its backward over
/// the upper triangle of tiles only, each off-diagonal pair adding to both of its rows (the forward through per-worker
/// column sums). Held here to the same reduction over two separate (equal) operands, which takes the general path:
/// every pair visited as a row, columns through dy. Sizes large enough for several tiles, both SIMD widths and two
/// threads; uneven row weights and zero weights; rows whose scales differ by e^±6 (values spread over many orders,
/// so the running shifts move); NaN rows.</summary>
[Collection(EngineSettingsCollection.Name)]
public class SymmetricBackwardTests
{
    private static Tensor Reduce<TM>(TM mask, Tensor x, Tensor? y, PairMetric metric, Tensor labels) where TM : struct, IPairMask =>
        PairFunction<ScaledRelation, TM, LogSumExpReduce>.Apply(new ScaledRelation(2.5), mask, PairOutput.Rows, x, y, metric,
            new PairExtras { RowLabels = labels, ColumnLabels = y is null ? null : labels });

    private static void Check<TM>(TM mask, PairMetric metric, ScalarType dtype, SimdWidth width, int n, int d, bool spread = false) where TM : struct, IPairMask
    {
        var previousWidth = PairEngine.Width;
        var previousThreads = PairEngine.MaxThreads;
        PairEngine.Width = width;
        PairEngine.MaxThreads = 2;
        try
        {
            using var scope = NewDisposeScope();
            manual_seed(n + d);
            var x = Scalars.Mul(randn(new long[] { n, d }, dtype), 0.3);
            if (spread) x = x * exp(Scalars.Mul(randn(new long[] { n, 1 }, dtype), 2.0));
            var labels = randint(7, new long[] { n }, dtype: ScalarType.Int64);
            // Uneven row weights, some exactly zero: a weightless row still receives its columns' side.
            var weights = Scalars.Mul(rand(new long[] { n }, dtype), Scalars.Gt(rand(new long[] { n }), 0.2).to_type(dtype));

            var self = x.detach().clone().requires_grad_(true);
            var selfRows = Reduce(mask, self, null, metric, labels);
            Scalars.Mul(selfRows, weights).sum().backward();

            var rows = x.detach().clone().requires_grad_(true);
            var columns = x.detach().clone().requires_grad_(true);
            var crossRows = Reduce(mask, rows, columns, metric, labels);
            Scalars.Mul(crossRows, weights).sum().backward();

            var what = $"{typeof(TM).Name} {metric} {dtype} {width} N = {n}, D = {d}";
            var tol = FusionNumerics.Tolerance(dtype);
            Assert.True(FusionNumerics.RelativeError(selfRows, crossRows) <= tol, what + ": values");
            Assert.True(FusionNumerics.RelativeError(self.grad!, Scalars.Add(rows.grad!, columns.grad!)) <= tol, what + ": gradient");
        }
        finally
        {
            PairEngine.Width = previousWidth;
            PairEngine.MaxThreads = previousThreads;
        }
    }

    [Theory]
    [InlineData(PairMetric.Dot, ScalarType.Float64, SimdWidth.Auto)]
    [InlineData(PairMetric.Dot, ScalarType.Float32, SimdWidth.Auto)]
    [InlineData(PairMetric.Dot, ScalarType.Float64, SimdWidth.Vector256)]
    [InlineData(PairMetric.Cosine, ScalarType.Float64, SimdWidth.Auto)]
    [InlineData(PairMetric.Euclidean, ScalarType.Float64, SimdWidth.Auto)]
    [InlineData(PairMetric.SqEuclidean, ScalarType.Float32, SimdWidth.Vector256)]
    public void Half_tiles_equal_the_two_sided_backward(PairMetric metric, ScalarType dtype, SimdWidth width)
    {
        // 700 × 700 × 160 multiply-adds: over the engine's one-thread cut-off, so two workers share the tiles.
        Check(new ExcludeSelf<AllPairs>(), metric, dtype, width, 700, 160);
        Check(new DifferentLabel(), metric, dtype, width, 300, 24);
        Check(default(AllPairs), metric, dtype, width, 97, 5);
        Check(new DifferentLabel(), metric, dtype, width, 700, 40, spread: true);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void Half_tile_forward_keeps_nan_where_the_two_sided_pass_has_it(ScalarType dtype)
    {
        var previousThreads = PairEngine.MaxThreads;
        PairEngine.MaxThreads = 2;
        try
        {
            using var scope = NewDisposeScope();
            manual_seed(3);
            const int n = 700;
            var x = randn(new long[] { n, 160 }, dtype);
            // Rows 0 (first tile: the rows of later tiles see it through its tile's column sums) and 650 (last tile:
            // earlier tiles' rows see it as a column) are NaN, both of label 0.
            x[650, 7] = tensor(double.NaN, dtype);
            x[0, 0] = tensor(double.NaN, dtype);
            var labels = remainder(arange(n, ScalarType.Int64), 50);
            var self = Reduce(new DifferentLabel(), x, null, PairMetric.Dot, labels);
            var cross = Reduce(new DifferentLabel(), x, x.clone(), PairMetric.Dot, labels);
            var selfNan = isnan(self);
            Assert.True(selfNan.eq(isnan(cross)).all().item<bool>(), "NaN rows differ");
            // The other 12 rows of label 0 do not see rows 0 and 650 (same label): finite; every other row is NaN.
            Assert.Equal(n - (n / 50 - 2), selfNan.sum().item<long>());
            var finite = logical_not(selfNan);
            Assert.True(FusionNumerics.RelativeError(self[finite], cross[finite]) <= FusionNumerics.Tolerance(dtype));
        }
        finally
        {
            PairEngine.MaxThreads = previousThreads;
        }
    }
}
