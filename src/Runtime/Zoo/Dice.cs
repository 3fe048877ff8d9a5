using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Dice loss (Milletari et al., 2016), as MONAI 1.3.2's <c>DiceLoss(sigmoid=False, smooth_nr,
    /// smooth_dr, batch=False)</c> on probabilities <c>[B, C, H, W]</c> and a binary target of the same shape:
    /// per sample and channel, <c>1 − (2 Σ p·y + smooth_nr) / (Σ p + Σ y + smooth_dr)</c> over the spatial axes,
    /// averaged over samples and channels. The target is a constant.</summary>
    [Loss]
    public partial class Dice
    {
        /// <summary>The numerator's smoothing (MONAI's default 1e-5).</summary>
        [Hyper] public double SmoothNr { get; set; } = 1e-5;

        /// <summary>The denominator's smoothing (MONAI's default 1e-5).</summary>
        [Hyper] public double SmoothDr { get; set; } = 1e-5;

        [Term]
        Real Overlap([Dims("B", "C", "H", "W")] Probs input, [Frozen, Dims("B", "C", "H", "W")] Probs target) =>
            (1 - (2 * (input * target).Sum("H", "W") + SmoothNr)
                 / (input.Sum("H", "W") + target.Sum("H", "W") + SmoothDr)).Mean();
    }

    /// <summary>Dice loss with the batch pooled, as MONAI 1.3.2's <c>DiceLoss(..., batch=True)</c>: the sums run
    /// over the batch and the spatial axes, one dice per channel, averaged over channels.</summary>
    [Loss]
    public partial class DiceBatch
    {
        /// <summary>The numerator's smoothing (MONAI's default 1e-5).</summary>
        [Hyper] public double SmoothNr { get; set; } = 1e-5;

        /// <summary>The denominator's smoothing (MONAI's default 1e-5).</summary>
        [Hyper] public double SmoothDr { get; set; } = 1e-5;

        [Term]
        Real Overlap([Dims("B", "C", "H", "W")] Probs input, [Frozen, Dims("B", "C", "H", "W")] Probs target) =>
            (1 - (2 * (input * target).Sum("B", "H", "W") + SmoothNr)
                 / (input.Sum("B", "H", "W") + target.Sum("B", "H", "W") + SmoothDr)).Mean();
    }
}
