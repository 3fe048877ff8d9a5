using System.Linq;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Runtime;

public static partial class Ops
{
    /// <summary>Cross-entropy of <paramref name="logits"/> <c>[..., C]</c> against class indices
    /// <paramref name="labels"/> <c>[...]</c> (Int64 or Int32) of every sample, <c>[...]</c>; 0 where the label is
    /// <paramref name="ignore"/>.</summary>
    public static Tensor CrossEntropyPerSample(Tensor logits, Tensor labels, long? ignore = null)
    {
        var classes = logits.shape[^1];
        var flat = F.cross_entropy(logits.reshape(-1, classes), Long(labels).reshape(-1),
            ignore_index: ignore ?? -100, reduction: nn.Reduction.None);
        return flat.reshape(labels.shape);
    }

    /// <summary>The mean cross-entropy over the labels that are not <paramref name="ignore"/>
    /// (<c>F.cross_entropy</c>, <c>reduction='mean'</c>); 0 when every label is ignored.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels, long? ignore = null) =>
        CrossEntropyPerSample(logits, labels, ignore).sum() / NonZero(Valid(labels, ignore).sum().to(logits.dtype));

    /// <summary>Cross-entropy with per-class weights <paramref name="classWeights"/> <c>[C]</c>:
    /// <c>Σ_i w_{y_i} CE_i / Σ_i w_{y_i}</c> over the labels that are not ignored (<c>F.cross_entropy(weight=w)</c>).</summary>
    public static Tensor WeightedCrossEntropy(Tensor logits, Tensor labels, Tensor classWeights, long? ignore = null)
    {
        var valid = Valid(labels, ignore);
        var safe = Long(Fill(labels, valid.logical_not(), 0));
        var w = Fill(classWeights.index_select(0, safe.reshape(-1)).reshape(labels.shape), valid.logical_not(), 0);
        return Mul(w, CrossEntropyPerSample(logits, labels, ignore)).sum() / NonZero(w.sum());
    }

    /// <summary><c>KL(p_i ‖ q_i) = Σ_c p log p − p · logq</c> of every row (the last axis). Entries with
    /// <c>p = 0</c> (a softmax that underflowed, a masked class) add exactly 0 and pass no gradient to either side:
    /// both factors are masked before they meet, so neither <c>0 · (−∞)</c> nor <c>log 0</c> reaches a gradient.</summary>
    public static Tensor KLPerSample(Tensor p, Tensor logq)
    {
        var zero = Le(p.detach(), 0);
        var logp = Fill(p, zero, 1).log();
        var safeLogq = Fill(logq, zero, 0);
        return Fill(Mul(p, Sub(logp, safeLogq)), zero, 0).sum(-1);
    }

    /// <summary><c>(1/N) Σ_i KL(p_i ‖ q_i)</c> (<c>F.kl_div(logq, p, reduction='batchmean')</c>: the sum over every
    /// entry divided by the first dimension).</summary>
    public static Tensor KL(Tensor p, Tensor logq) => Div(KLPerSample(p, logq).sum(), p.shape[0]);

    /// <summary>Mean squared error over all entries.</summary>
    public static Tensor Mse(Tensor a, Tensor b) => F.mse_loss(a, b);

    /// <summary>Smooth L1 over all entries, averaged: <c>0.5 x² / β</c> where <c>|x| &lt; β</c>, else
    /// <c>|x| − 0.5 β</c> (<c>F.smooth_l1_loss</c>).</summary>
    public static Tensor SmoothL1(Tensor a, Tensor b, double beta) => F.smooth_l1_loss(a, b, beta: beta);

    private static Tensor Long(Tensor labels) => labels.dtype == ScalarType.Int64 ? labels : labels.to(ScalarType.Int64);
}
