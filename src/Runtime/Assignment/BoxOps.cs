using System;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Runtime.Assignment;

/// <summary>Differentiable bounding-box operations for set-prediction losses (DETR's matcher cost and box losses),
/// with the semantics of DETR's <c>util/box_ops.py</c> and torchvision's <c>ops.boxes</c>: the same formulas in
/// the same order of operations, so float64 values agree with theirs to rounding (DETR's recorded matcher costs to
/// 1e-12 relative). Plain tensor ops: autograd works, any device.</summary>
/// <remarks>Boxes are <c>[K, 4]</c> rows, either (cx, cy, w, h) — DETR's normalised centre and size — or
/// (x0, y0, x1, y1) corners. GIoU follows H. Rezatofighi et al., "Generalized Intersection over Union", CVPR 2019:
/// GIoU = IoU − (|C| − |A ∪ B|) / |C| with C the smallest box enclosing A and B; it lies in (−1, 1].</remarks>
public static class BoxOps
{
    /// <summary>(cx, cy, w, h) → (cx − w/2, cy − h/2, cx + w/2, cy + h/2), over the last dimension.</summary>
    /// <param name="boxes">[..., 4] centre-size boxes.</param>
    /// <returns>[..., 4] corner boxes.</returns>
    public static Tensor BoxCxcywhToXyxy(Tensor boxes)
    {
        CheckBoxes(boxes, nameof(boxes), anyRank: true);
        using var scope = NewDisposeScope();
        var parts = boxes.unbind(-1);
        Tensor cx = parts[0], cy = parts[1], w = parts[2], h = parts[3];
        // 0.5 · w, as DETR writes it: exact, so the corners round as DETR's do.
        var halfW = Scalars.Mul(0.5, w);
        var halfH = Scalars.Mul(0.5, h);
        return stack(new[] { Scalars.Sub(cx, halfW), Scalars.Sub(cy, halfH), Scalars.Add(cx, halfW), Scalars.Add(cy, halfH) }, -1)
            .MoveToOuterDisposeScope();
    }

    /// <summary>Area (x1 − x0)(y1 − y0) of [K, 4] corner boxes, as torchvision's <c>box_area</c> (no clamping).</summary>
    public static Tensor BoxArea(Tensor boxes)
    {
        CheckBoxes(boxes, nameof(boxes));
        return Scalars.Mul(Scalars.Sub(boxes.select(1, 2), boxes.select(1, 0)), Scalars.Sub(boxes.select(1, 3), boxes.select(1, 1)));
    }

    /// <summary>Generalized IoU of every pair: DETR's <c>generalized_box_iou(a, b)</c>.</summary>
    /// <param name="a">[N, 4] corner boxes with x1 ≥ x0 and y1 ≥ y0.</param>
    /// <param name="b">[M, 4] corner boxes, likewise.</param>
    /// <returns>[N, M], entry (i, j) = GIoU(a_i, b_j). Two boxes of zero area whose union and enclosing box are
    /// empty give NaN (0/0), as in DETR.</returns>
    /// <exception cref="ArgumentException">A box with x1 &lt; x0 or y1 &lt; y0 (or NaN coordinates): DETR asserts the
    /// same, since such boxes give meaningless values. The check reads one flag back from the device.</exception>
    public static Tensor PairwiseGeneralizedIoU(Tensor a, Tensor b)
    {
        CheckCorners(a, nameof(a));
        CheckCorners(b, nameof(b));
        using var scope = NewDisposeScope();
        var areaA = BoxArea(a).unsqueeze(1);                     // [N, 1]
        var areaB = BoxArea(b);                                  // [M]
        Tensor aMin = a.narrow(1, 0, 2).unsqueeze(1), aMax = a.narrow(1, 2, 2).unsqueeze(1); // [N, 1, 2]
        Tensor bMin = b.narrow(1, 0, 2), bMax = b.narrow(1, 2, 2);                           // [M, 2]
        return Giou(areaA, areaB, aMin, aMax, bMin, bMax).MoveToOuterDisposeScope();
    }

    /// <summary>Generalized IoU of matched pairs: entry k = GIoU(a_k, b_k), the diagonal of
    /// <see cref="PairwiseGeneralizedIoU"/> without the N × M matrix (DETR's <c>loss_giou</c> takes
    /// <c>diag(generalized_box_iou(src, tgt))</c>; the values and gradients are the same). No ε is added, unlike
    /// torchvision's <c>generalized_box_iou_loss</c>.</summary>
    /// <param name="a">[K, 4] corner boxes with x1 ≥ x0 and y1 ≥ y0.</param>
    /// <param name="b">[K, 4] corner boxes, likewise.</param>
    /// <returns>[K].</returns>
    /// <exception cref="ArgumentException">Different box counts, or a degenerate box (see
    /// <see cref="PairwiseGeneralizedIoU"/>).</exception>
    public static Tensor GeneralizedIoU(Tensor a, Tensor b)
    {
        CheckCorners(a, nameof(a));
        CheckCorners(b, nameof(b));
        if (a.shape[0] != b.shape[0])
            throw new ArgumentException($"Element-wise GIoU pairs boxes one to one, but a has {a.shape[0]} and b has {b.shape[0]}.", nameof(b));
        using var scope = NewDisposeScope();
        return Giou(BoxArea(a), BoxArea(b), a.narrow(1, 0, 2), a.narrow(1, 2, 2), b.narrow(1, 0, 2), b.narrow(1, 2, 2))
            .MoveToOuterDisposeScope();
    }

    /// <summary>L1 distance Σ_d |a_id − b_jd| of every pair (<c>torch.cdist(a, b, p=1)</c>, DETR's box cost, on
    /// (cx, cy, w, h) boxes there).</summary>
    /// <param name="a">[N, D].</param>
    /// <param name="b">[M, D].</param>
    /// <returns>[N, M]; its gradient is sign(a_id − b_jd), 0 at ties, as torch's.</returns>
    public static Tensor PairwiseL1(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.dim() != 2 || b.dim() != 2 || a.shape[1] != b.shape[1])
            throw new ArgumentException($"Pairwise L1 needs [N, D] and [M, D], got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}].");
        return cdist(a, b, p: 1.0);
    }

    /// <summary>GIoU from areas and corners broadcast against each other, in DETR's order of operations:
    /// inter = clamp(min(max) − max(min), 0) products, union = |A| + |B| − inter, then IoU − (|C| − union)/|C|.</summary>
    private static Tensor Giou(Tensor areaA, Tensor areaB, Tensor aMin, Tensor aMax, Tensor bMin, Tensor bMax)
    {
        var inter = ProductOfSides(Scalars.ClampMin(Scalars.Sub(aMax.minimum(bMax), aMin.maximum(bMin)), 0));
        var union = Scalars.Sub(Scalars.Add(areaA, areaB), inter);
        var iou = Scalars.Div(inter, union);
        var enclosing = ProductOfSides(Scalars.ClampMin(Scalars.Sub(aMax.maximum(bMax), aMin.minimum(bMin)), 0));
        return Scalars.Sub(iou, Scalars.Div(Scalars.Sub(enclosing, union), enclosing));
    }

    /// <summary>width · height of a [..., 2] (width, height) tensor.</summary>
    private static Tensor ProductOfSides(Tensor wh) => Scalars.Mul(wh.select(-1, 0), wh.select(-1, 1));

    private static void CheckBoxes(Tensor boxes, string name, bool anyRank = false)
    {
        ArgumentNullException.ThrowIfNull(boxes, name);
        if ((anyRank ? boxes.dim() < 1 : boxes.dim() != 2) || boxes.shape[^1] != 4)
            throw new ArgumentException($"{name} must be {(anyRank ? "[..., 4]" : "[K, 4]")} boxes, got shape [{string.Join(", ", boxes.shape)}].", name);
        if (!is_floating_point(boxes)) throw new ArgumentException($"{name} must be floating-point, got {boxes.dtype}.", name);
    }

    private static void CheckCorners(Tensor boxes, string name)
    {
        CheckBoxes(boxes, name);
        using var scope = NewDisposeScope();
        var ordered = boxes.narrow(1, 2, 2).ge(boxes.narrow(1, 0, 2)).all().item<bool>();
        if (!ordered)
            throw new ArgumentException($"{name} holds a degenerate box (x1 < x0, y1 < y0 or NaN): GIoU needs (x0, y0, x1, y1) corners with x1 ≥ x0 and y1 ≥ y0.", name);
    }
}
