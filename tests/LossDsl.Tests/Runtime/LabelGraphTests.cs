using System;
using System.Linq;
using LossDsl.Runtime;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

/// <summary>Masks built from labels (<c>Ops.SameLabel</c>, <c>Ops.ExcludeSelf</c> of one) list their pairs from the
/// labels rather than by scanning the mask: the same pairs in the same order as a plain copy of the mask (which takes
/// the scan), the same sparse-or-dense decision, for square and rectangular graphs, int64 and int32 labels, few and
/// many classes (dense above a quarter of the cells), labels changed in place after the mask was built.</summary>
public class LabelGraphTests
{
    private static void SamePairs(Tensor remembered, Tensor values, string what)
    {
        var listed = PairSupport.Of(remembered);
        var scanned = PairSupport.Of(remembered.clone()); // a plain copy: not remembered, so counted and scanned
        Assert.Equal(scanned.IsSparse, listed.IsSparse);
        var a = listed.At(values);
        var b = scanned.At(values);
        Assert.True(a.shape.SequenceEqual(b.shape), $"{what}: [{string.Join(", ", a.shape)}] vs [{string.Join(", ", b.shape)}]");
        Assert.True(a.eq(b).all().item<bool>(), what);
    }

    [Theory]
    [InlineData(300, 300, 150, ScalarType.Int64)]   // NT-Xent-like: two per class
    [InlineData(257, 257, 40, ScalarType.Int32)]
    [InlineData(200, 90, 30, ScalarType.Int64)]    // rectangular: rows against a queue
    [InlineData(120, 120, 2, ScalarType.Int64)]    // half the cells: dense
    [InlineData(64, 64, 1, ScalarType.Int64)]      // one class
    [InlineData(1, 1, 1, ScalarType.Int64)]
    public void Listed_pairs_equal_the_scanned_ones(int n, int m, int classes, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        manual_seed(n * 31 + m);
        var rows = randint(classes, new long[] { n }, dtype: dtype);
        var columns = n == m ? rows : randint(classes, new long[] { m }, dtype: dtype);
        var values = arange(n * m, ScalarType.Float64).view(n, m);
        var same = Ops.SameLabel(rows, columns);
        SamePairs(same, values, $"same label {n}×{m}, {classes} classes");
        SamePairs(Ops.ExcludeSelf(same), values, $"exclude self {n}×{m}, {classes} classes");
    }

    // Generated code hands a same-label graph that only OverPairs reads as its labels (Ops.SameLabelPairs): the pairs,
    // their order and the sparse-or-dense decision are those of the scanned mask, and the masked mean with its
    // gradient is the mask's, sparse and dense.
    [Theory]
    [InlineData(300, 300, 150, ScalarType.Int64)]
    [InlineData(200, 90, 30, ScalarType.Int32)]
    [InlineData(120, 120, 2, ScalarType.Int64)]    // dense: the mask is built
    [InlineData(64, 64, 1, ScalarType.Int64)]
    public void Label_pairs_equal_the_mask_they_describe(int n, int m, int classes, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        manual_seed(n * 17 + m);
        var rows = randint(classes, new long[] { n }, dtype: dtype);
        var columns = n == m ? rows : randint(classes, new long[] { m }, dtype: dtype);
        foreach (var excludeSelf in new[] { false, true })
        {
            var mask = Ops.SameLabel(rows, columns);
            if (excludeSelf) mask = Ops.ExcludeSelf(mask);
            var what = $"{n}×{m}, {classes} classes, exclude self {excludeSelf}";
            var described = PairSupport.Of(Ops.SameLabelPairs(rows, columns, excludeSelf));
            var scanned = PairSupport.Of(mask.clone());
            Assert.Equal(scanned.IsSparse, described.IsSparse);
            var values = arange(n * m, ScalarType.Float64).view(n, m);
            Assert.True(described.At(values).eq(scanned.At(values)).all().item<bool>(), what);

            var leafA = randn(n, m, ScalarType.Float64).requires_grad_(true);
            var leafB = leafA.detach().clone().requires_grad_(true);
            var a = Ops.Mean(Ops.OverPairs(Ops.SameLabelPairs(rows, columns, excludeSelf), p => Ops.Softplus(p.At(leafA))));
            var b = Ops.Mean(Ops.Over(Ops.Softplus(leafB), mask));
            a.backward();
            b.backward();
            Assert.True(Math.Abs(a.item<double>() - b.item<double>()) <= 1e-12 * Math.Max(1, Math.Abs(b.item<double>())), what);
            Assert.True(leafA.grad!.sub(leafB.grad!).abs().max().item<double>() <= 1e-12, what);
        }
    }

    // Ops.SameLabel takes any integer labels; the lists are made from int64 and int32 ones, other masks are scanned.
    [Theory]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Int16)]
    public void Masks_of_other_integer_labels_are_scanned(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var y = tensor(new long[] { 0, 1, 0, 2, 1, 3, 3, 0 }).to_type(dtype);
        var mask = Ops.ExcludeSelf(Ops.SameLabel(y));
        Assert.Equal(10, PairSupport.Of(mask).At(zeros(8, 8)).shape[0]);
    }

    [Fact]
    public void Labels_changed_in_place_afterwards_do_not_change_the_pairs()
    {
        using var scope = NewDisposeScope();
        var y = tensor(new long[] { 0, 1, 0, 2, 1, 3, 3, 0 });
        var mask = Ops.ExcludeSelf(Ops.SameLabel(y));
        y.fill_(7); // every label equal now; the mask was built before
        SamePairs(mask, arange(64, ScalarType.Float64).view(8, 8), "in-place change");
        Assert.Equal(10, PairSupport.Of(mask).At(zeros(8, 8)).shape[0]); // 3·2 + 2 + 0 + 2 ordered pairs
    }
}
