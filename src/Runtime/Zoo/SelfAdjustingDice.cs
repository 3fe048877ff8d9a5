using System;
using System.Linq;
using LossDsl.Runtime;
using static LossDsl.Dsl;
using static TorchSharp.torch;

namespace LossDsl.Zoo
{
    // The self-adjusting Dice losses of Li et al., 2020, "Dice Loss for Data-imbalanced NLP Tasks", as the authors'
    // DiceLoss (ShannonAI/dice_loss_for_NLP d437bb9, loss/dice_loss.py) with with_logits=True, reduction='mean'. Each
    // probability p is first down-weighted by (1 − p)^α, so that easy (confident) examples weigh less: p' = (1 − p)^α p.
    // The targets are constants.

    /// <summary>Self-adjusting multi-class Dice loss, as ShannonAI's <c>DiceLoss</c> on <c>[N, C]</c> logits and class ids
    /// (<c>index_label_position=True</c>, <c>square_denominator=False</c>): <c>p = softmax(logits)</c>,
    /// <c>p' = (1 − p)^α p</c>, <c>y</c> one-hot; per class c and example i,
    /// <c>l_ci = 1 − (2 p'_ic y_ic + s) / (Σ_j p'_jc + Σ_j y_jc + s)</c> (the denominator sums over the whole batch, as the
    /// authors' code does), and the loss is <c>mean_i Σ_c l_ci</c>. A class absent from the batch still counts (its
    /// <c>l_ci = 1 − s / (Σ_j p'_jc + s)</c>); s &gt; 0 keeps every denominator positive.</summary>
    [Loss]
    public partial class SelfAdjustingDice
    {
        /// <summary>The smoothing s (the authors' scripts: 1; their parser's default 10⁻⁴).</summary>
        [Hyper] public double Smooth { get; set; } = 1;

        /// <summary>The self-adjusting exponent α (the authors' default 0.01; 0 is the plain Dice loss).</summary>
        [Hyper] public double Alpha { get; set; } = 0.01;

        [Term]
        Real Overlap([Dims("N", "C")] Logits logits, [Dims("N")] Labels target)
        {
            var p = SelfAdjusting.Weigh(Softmax(logits), Alpha);
            var y = ClassOf(target).AsWeights().AsProbs();
            return (1 - (2 * p * y + Smooth) / (p.Sum("N") + y.Sum("N") + Smooth)).RowSum().Mean();
        }
    }

    /// <summary>Self-adjusting multi-class Dice loss with squared denominators, as ShannonAI's <c>DiceLoss</c> with
    /// <c>square_denominator=True</c> (class ids, <c>[N, C]</c> logits): per class and example
    /// <c>l_ci = 1 − (2 p'_ic y_ic + s) / (p'_ic² + y_ic² + s)</c> (the authors' code sums the squares over a single
    /// example), then <c>mean_i Σ_c l_ci</c>.</summary>
    [Loss]
    public partial class SelfAdjustingDiceSquared
    {
        /// <summary>The smoothing s (the authors' scripts: 1).</summary>
        [Hyper] public double Smooth { get; set; } = 1;

        /// <summary>The self-adjusting exponent α (the authors' default 0.01).</summary>
        [Hyper] public double Alpha { get; set; } = 0.01;

        [Term]
        Real Overlap([Dims("N", "C")] Logits logits, [Dims("N")] Labels target)
        {
            var p = SelfAdjusting.Weigh(Softmax(logits), Alpha);
            var y = ClassOf(target).AsWeights().AsProbs();
            return (1 - (2 * p * y + Smooth) / (Square(p) + Square(y) + Smooth)).RowSum().Mean();
        }
    }

    /// <summary>Self-adjusting binary Dice loss, as ShannonAI's <c>DiceLoss</c> on <c>[N, 1]</c> logits (the span
    /// classifiers of MRC-NER): <c>p = σ(logit)·m</c>, <c>y = target·m</c> with the 0/1 <c>mask</c> m (all ones without
    /// one), <c>p' = (1 − p)^α p</c>, and <c>1 − (2 Σ p'y + s) / (Σ p' + Σ y + s)</c> over the whole batch. The mask
    /// also carries OHEM's selection of hard negatives (<see cref="DiceOhem.KeepMask"/>). Inputs as vectors <c>[N]</c>:
    /// logits, a 0/1 float target and mask. An all-zero mask gives 0.</summary>
    [Loss]
    public partial class SelfAdjustingDiceBinary
    {
        /// <summary>The smoothing s (the authors' scripts: 1).</summary>
        [Hyper] public double Smooth { get; set; } = 1;

        /// <summary>The self-adjusting exponent α (the authors' default 0.01).</summary>
        [Hyper] public double Alpha { get; set; } = 0.01;

        [Term]
        Real Overlap(Vector logits, [Frozen] Vector target, [Frozen] Vector mask)
        {
            var p = SelfAdjusting.Weigh(Sigmoid(logits) * mask, Alpha);
            var y = target * mask;
            return 1 - (2 * (p * y).Sum() + Smooth) / (p.Sum() + y.Sum() + Smooth);
        }
    }

    /// <summary>Self-adjusting binary Dice loss with squared denominators, as ShannonAI's <c>DiceLoss</c> with
    /// <c>square_denominator=True</c> on <c>[N, 1]</c> logits: <c>1 − (2 Σ p'y + s) / (Σ p'² + Σ y² + s)</c>, p and y
    /// masked as <see cref="SelfAdjustingDiceBinary"/>.</summary>
    [Loss]
    public partial class SelfAdjustingDiceBinarySquared
    {
        /// <summary>The smoothing s (the authors' scripts: 1).</summary>
        [Hyper] public double Smooth { get; set; } = 1;

        /// <summary>The self-adjusting exponent α (the authors' default 0.01).</summary>
        [Hyper] public double Alpha { get; set; } = 0.01;

        [Term]
        Real Overlap(Vector logits, [Frozen] Vector target, [Frozen] Vector mask)
        {
            var p = SelfAdjusting.Weigh(Sigmoid(logits) * mask, Alpha);
            var y = target * mask;
            return 1 - (2 * (p * y).Sum() + Smooth) / (Square(p).Sum() + Square(y).Sum() + Smooth);
        }
    }

    /// <summary>The Tversky loss of Li et al., 2020 (Table 1, after Salehi et al., 2017, "Tversky loss function for image
    /// segmentation"), binary, with the same self-adjusting weight: <c>p = σ(logit)·m</c>, <c>p' = (1 − p)^α p</c>,
    /// <c>y = target·m</c>, and <c>1 − (Σ p'y + s) / (Σ p'y + a Σ p'(1 − y) + b Σ (1 − p')y + s)</c>: a weighs false
    /// positives, b false negatives; a = b = ½ is the Dice loss with smoothing 2s. The authors' repository has no Tversky
    /// code; this follows the paper's formula (α = 0 is the plain Tversky index).</summary>
    [Loss]
    public partial class TverskyBinary
    {
        /// <summary>The smoothing s.</summary>
        [Hyper] public double Smooth { get; set; } = 1;

        /// <summary>The self-adjusting exponent α (0: plain Tversky).</summary>
        [Hyper] public double Alpha { get; set; } = 0;

        /// <summary>The false positives' weight a (½ with b = ½: Dice).</summary>
        [Hyper] public double FalsePositiveWeight { get; set; } = 0.5;

        /// <summary>The false negatives' weight b.</summary>
        [Hyper] public double FalseNegativeWeight { get; set; } = 0.5;

        [Term]
        Real Overlap(Vector logits, [Frozen] Vector target, [Frozen] Vector mask)
        {
            var p = SelfAdjusting.Weigh(Sigmoid(logits) * mask, Alpha);
            var y = target * mask;
            var overlap = (p * y).Sum();
            var index = (overlap + Smooth)
                        / (overlap + FalsePositiveWeight * (p * (1 - y)).Sum() + FalseNegativeWeight * ((1 - p) * y).Sum() + Smooth);
            return 1 - index;
        }
    }

    /// <summary>The self-adjusting weight of Li et al., 2020: <c>p' = (1 − p)^α p</c> (inlined by the generator).</summary>
    public static class SelfAdjusting
    {
        /// <summary><c>(1 − p)^α p</c> of class probabilities.</summary>
        public static Probs Weigh(Probs p, double alpha) => Pow(1 - p, alpha) * p;

        /// <summary><c>(1 − p)^α p</c> of per-example probabilities.</summary>
        public static Vector Weigh(Vector p, double alpha) => Pow(1 - p, alpha) * p;
    }

    /// <summary>Online hard example mining for the binary self-adjusting Dice loss, as ShannonAI's <c>DiceLoss</c> with
    /// <c>ohem_ratio &gt; 0</c> (loss/dice_loss.py, <c>_binary_class</c>): a host-side, non-differentiable choice of which
    /// negatives count, made from detached probabilities like a miner, whose result enters the loss as its <c>mask</c>
    /// input (<see cref="SelfAdjustingDiceBinary"/>).</summary>
    public static class DiceOhem
    {
        /// <summary>The mask ShannonAI's OHEM applies: with <c>p = σ(logits)·mask</c>, <c>#pos</c> the positives
        /// (target &gt; ½) inside the mask and <c>keep = min(int(#pos · ratio), #neg)</c> (the product in float32, as
        /// PyTorch computes an integer count times a Python float), the threshold is the authors'
        /// <c>sort(p[negatives])[−keep + 1]</c>, a Python index: for keep ≥ 2 the (keep − 1)-th largest negative
        /// probability, so only the negatives strictly above it, <c>keep − 2</c> of them without ties, survive; keep = 1
        /// indexes the smallest and keep = 0 the second smallest (as the code does). The result is
        /// <c>mask · [p &gt; threshold or positive]</c>, float, detached, on the logits' device.</summary>
        /// <param name="logits">Binary logits <c>[N]</c>.</param>
        /// <param name="target">0/1 targets <c>[N]</c>.</param>
        /// <param name="ratio">The OHEM ratio (&gt; 0; the authors' 0.3 is typical).</param>
        /// <param name="mask">A 0/1 mask <c>[N]</c>, or null for all ones.</param>
        /// <exception cref="ArgumentException">Shapes differ, or the index the authors' code takes does not exist (fewer
        /// negatives than it reads), where their code raises an IndexError.</exception>
        public static Tensor KeepMask(Tensor logits, Tensor target, double ratio, Tensor? mask = null)
        {
            if (logits.shape.Length != 1 || !target.shape.SequenceEqual(logits.shape) || mask is not null && !mask.shape.SequenceEqual(logits.shape))
                throw new ArgumentException($"DiceOhem.KeepMask needs logits, target and mask of one shape [N], got [{string.Join(", ", logits.shape)}], [{string.Join(", ", target.shape)}].");
            using var scope = NewDisposeScope();
            var m = (mask ?? ones_like(logits)).detach().to(ScalarType.Float64).cpu();
            var p = Scalars.Mul(logits.detach().to(ScalarType.Float64).cpu().sigmoid(), m);
            var y = target.detach().to(ScalarType.Float64).cpu();
            var probabilities = p.data<double>().ToArray();
            var targets = y.data<double>().ToArray();
            var inMask = m.data<double>().ToArray();
            var positives = targets.Select((t, i) => t > 0.5 && !(inMask[i] <= 0.5)).Count(b => b);
            var negatives = probabilities.Where((_, i) => targets[i] <= 0.5).OrderBy(v => v).ToArray();
            var keep = Math.Min((int)((float)positives * (float)ratio), negatives.Length);
            var index = -keep + 1;
            if (index < 0) index += negatives.Length;
            if (index < 0 || index >= negatives.Length)
                throw new ArgumentException($"DiceOhem.KeepMask: the authors' threshold index {-keep + 1} does not exist among {negatives.Length} negatives (keep = {keep}).");
            var threshold = negatives[index];
            var kept = probabilities.Select((v, i) => (v > threshold || targets[i] > 0.5) ? inMask[i] : 0.0).ToArray();
            return tensor(kept, ScalarType.Float64).to(logits.dtype).to(logits.device).MoveToOuterDisposeScope();
        }
    }
}
