using System;
using LossDsl.Runtime;
using static TorchSharp.torch;

namespace LossDsl.Zoo
{
    /// <summary>Running mean and variance of a stream of batches: TRL's <c>RunningMoments</c> (trl/trainer/utils.py,
    /// v0.19.1, single process), the state behind <see cref="DpoBcoPair"/>'s reward shift δ. It lives outside the loss,
    /// which stays a pure function of its inputs: each training step calls <see cref="Update"/> with the batch's rewards
    /// (<see cref="BcoRewards"/>) and passes the new mean to the loss as its <c>delta</c> input.</summary>
    /// <remarks>As TRL, the batch statistics are rounded to float32 and the mean's increment
    /// <c>(x̄ − mean)·n / (count + n)</c> and the variances are computed in float32, while the mean and the count accumulate
    /// in float64; a fresh state is <c>mean 0, var 1, std 1, count 10⁻²⁴</c>, so the first update's mean is the batch
    /// mean rounded to float32, and its std is ∞ (TRL divides by <c>count − 1 = 0</c>). Not thread-safe.</remarks>
    public sealed class RunningMoments
    {
        /// <summary>A fresh state (TRL's defaults).</summary>
        public RunningMoments() { }

        /// <summary>A state carried over (a checkpoint's, say).</summary>
        public RunningMoments(double mean, double variance, double std, double count)
        {
            Mean = mean;
            Variance = variance;
            Std = std;
            Count = count;
        }

        /// <summary>The running mean: δ of <see cref="DpoBcoPair"/>.</summary>
        public double Mean { get; private set; }

        /// <summary>The running (population) variance.</summary>
        public double Variance { get; private set; } = 1;

        /// <summary>The running standard deviation with Bessel's correction (∞ after a single value).</summary>
        public double Std { get; private set; } = 1;

        /// <summary>How many values have been seen (plus TRL's initial 10⁻²⁴).</summary>
        public double Count { get; private set; } = 1e-24;

        /// <summary>BCO's batch reward, <c>mean(cat(β·(chosen − refChosen), β·(rejected − refRejected)))</c>, detached: what
        /// TRL 0.19.1's <c>dpo_loss</c> feeds <see cref="Update"/> for <c>loss_type="bco_pair"</c>.</summary>
        public static Tensor BcoRewards(Tensor chosen, Tensor rejected, Tensor refChosen, Tensor refRejected, double beta)
        {
            using var scope = NewDisposeScope();
            var chosenRewards = Scalars.Mul(Scalars.Sub(chosen.detach(), refChosen.detach()), beta);
            var rejectedRewards = Scalars.Mul(Scalars.Sub(rejected.detach(), refRejected.detach()), beta);
            return cat(new[] { chosenRewards, rejectedRewards }, 0).mean().MoveToOuterDisposeScope();
        }

        /// <summary>Adds the values of <paramref name="values"/> (any shape; TRL's BCO passes one 0-d batch reward) and
        /// returns the new <see cref="Mean"/> as a 0-d tensor of their dtype and device, without gradient.</summary>
        /// <exception cref="ArgumentException">No values, or a non-finite one.</exception>
        public Tensor Update(Tensor values)
        {
            ArgumentNullException.ThrowIfNull(values);
            var n = values.numel();
            if (n == 0) throw new ArgumentException("RunningMoments.Update needs at least one value.", nameof(values));
            float batchMean, batchVariance;
            using (var scope = NewDisposeScope())
            {
                var flat = values.detach().reshape(-1).to(ScalarType.Float64).cpu();
                var (variance, mean) = var_mean(flat, unbiased: false);
                batchMean = (float)mean.item<double>();
                batchVariance = (float)variance.item<double>();
            }
            if (!float.IsFinite(batchMean)) throw new ArgumentException($"RunningMoments.Update got a non-finite batch mean ({batchMean}).", nameof(values));

            // TRL: delta = xs_mean − mean and every product with it run in float32; mean and count stay float64.
            var delta = batchMean - (float)Mean;
            var total = Count + n;
            var newSum = batchVariance * (float)n;
            var oldSum = (float)(Variance * Count) + delta * delta * (float)Count * (float)n / (float)total;
            var newVariance = (oldSum + newSum) / (float)total;
            Mean += delta * (float)n / (float)total;
            Std = MathF.Sqrt(newVariance * (float)total / (float)(total - 1));
            Variance = newVariance;
            Count = total;
            return Scalars.Full(Array.Empty<long>(), Mean, values.dtype, values.device);
        }
    }
}
