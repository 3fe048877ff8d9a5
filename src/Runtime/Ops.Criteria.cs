using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Runtime;

public static partial class Ops
{
    /// <summary>Cross-entropy of <paramref name="logits"/> <c>[N, C]</c> against class indices
    /// <paramref name="labels"/> <c>[N]</c> (Int64 or Int32), averaged over the batch.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels) =>
        F.cross_entropy(logits, labels.dtype == ScalarType.Int64 ? labels : labels.to(ScalarType.Int64));

    /// <summary><c>(1/N) Σ_{i,c} p log p − p · logq</c>: <c>KL(p ‖ q)</c> per row, averaged over the
    /// batch (<c>F.kl_div(logq, p, reduction='batchmean')</c>). Entries with <c>p = 0</c> (a softmax
    /// that underflowed) add exactly 0 and pass no gradient, where <c>xlogy</c>'s backward gives 0/0.</summary>
    public static Tensor KL(Tensor p, Tensor logq)
    {
        var zero = Le(p.detach(), 0);
        var logp = Fill(p, zero, 1).log();
        return Div(Fill(Sub(p * logp, p * logq), zero, 0).sum(), p.shape[0]);
    }

    /// <summary>Mean squared error over all entries.</summary>
    public static Tensor Mse(Tensor a, Tensor b) => F.mse_loss(a, b);

    /// <summary>Smooth L1 over all entries, averaged: <c>0.5 x² / β</c> where <c>|x| &lt; β</c>, else
    /// <c>|x| − 0.5 β</c> (<c>F.smooth_l1_loss</c>).</summary>
    public static Tensor SmoothL1(Tensor a, Tensor b, double beta) => F.smooth_l1_loss(a, b, beta: beta);
}
