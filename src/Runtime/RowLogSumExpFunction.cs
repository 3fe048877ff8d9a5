using System.Collections.Generic;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary><c>log Σ_j exp(r_ij)</c> over the last axis of <c>r</c>, or over the pairs a Bool mask selects, with one
/// N×M temporary in the forward pass and one (the gradient itself) in the backward pass. libtorch's
/// <c>logsumexp</c> after a fill at the dropped pairs allocates five more N×M tensors per call (the fill, which
/// autograd keeps, then <c>r − lse</c>, its <c>exp</c>, the product with the incoming gradient and the fill's
/// backward): without huge pages every fresh N×M tensor is paid again in page faults (1 GiB at 16,384 rows).
/// Values and gradients equal libtorch's (the same operations in the same order, shifted by the row maximum).</summary>
/// <remarks>An empty row gives −∞ and no gradient; a NaN among a row's selected pairs gives NaN and NaN gradients to
/// that row's selected pairs only; the dropped pairs never receive gradient. Not twice differentiable.</remarks>
internal sealed class RowLogSumExpFunction : autograd.SingleTensorFunction<RowLogSumExpFunction>
{
    public override string Name => "LossDsl.RowLogSumExp";

    /// <summary>The row log-sum-exp of <paramref name="values"/> <c>[…, M]</c> over the entries where
    /// <paramref name="mask"/> (Bool, the shape of the values; null: every entry) holds, <c>[…]</c>.</summary>
    public static Tensor Apply(Tensor values, Tensor? mask) =>
        mask is null ? apply(values) : apply(values, mask);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var values = (Tensor)vars[0];
        var mask = vars.Length > 1 ? (Tensor)vars[1] : null;
        using var terms = Selected(values, mask);
        using var max = terms.amax(new long[] { -1 }, keepdim: true);
        // A row whose maximum is infinite (empty: −∞) is shifted by 0, as libtorch's logsumexp does.
        using (var infinite = max.isinf()) max.masked_fill_(infinite, Scalars.Zero);
        terms.sub_(max).exp_();
        using var sums = terms.sum(-1);
        using var shift = max.squeeze(-1);
        var lse = sums.log().add_(shift, Scalars.One);
        // A copy of the result (N numbers), not the output itself, whose node would then hold it in a cycle.
        var saved = new List<Tensor> { values, lse.detach().clone() };
        if (mask is not null) saved.Add(mask);
        ctx.save_for_backward(saved);
        return lse;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        try
        {
            var (values, lse) = (saved[0], saved[1]);
            var mask = saved.Count > 2 ? saved[2] : null;
            var grads = new List<Tensor> { null!, null! };
            if (mask is null) grads.RemoveAt(1);
            if (!values.requires_grad) return grads;
            // ∂lse_i/∂r_ij = exp(r_ij − lse_i) on the selected pairs; an empty row's −∞ is shifted by 0 instead, so its
            // (unselected, −∞) entries give exp(−∞) = 0 rather than NaN.
            using var rowShift = lse.detach().unsqueeze(-1);
            using (var empty = rowShift.isneginf()) rowShift.masked_fill_(empty, Scalars.Zero);
            using var incoming = grad_output.unsqueeze(-1);
            var grad = Selected(values, mask).sub_(rowShift).exp_().mul_(incoming);
            // A NaN row (a selected NaN) would reach its dropped pairs through exp(−∞ − NaN): keep them at 0.
            if (mask is not null && AnyNaN(lse))
            {
                using var all = grad;
                grad = Scalars.Where(mask, all, 0);
            }
            grads[0] = grad;
            return grads;
        }
        finally
        {
            foreach (var t in saved) t?.Dispose();
        }
    }

    /// <summary>The values at the selected entries and −∞ elsewhere, as a fresh tensor (it is written in place).</summary>
    private static Tensor Selected(Tensor values, Tensor? mask)
    {
        using var plain = values.detach();
        return mask is null ? plain.clone() : Scalars.Where(mask, plain, double.NegativeInfinity);
    }

    private static bool AnyNaN(Tensor t)
    {
        using var nan = t.isnan();
        using var any = nan.any();
        return any.item<bool>();
    }
}
