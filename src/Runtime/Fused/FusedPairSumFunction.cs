using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Runtime.Fused
{
    /// <summary>How a fused pair sum reduces its per-row sums <c>S_i</c> (with pair counts <c>c_i</c>).</summary>
    public enum PairReduction
    {
        /// <summary><c>S_i</c>, [N].</summary>
        RowSum,
        /// <summary><c>S_i / c_i</c>, [N]; 0 for an empty row.</summary>
        RowMean,
        /// <summary><c>Σ_i S_i</c>, a scalar.</summary>
        Sum,
        /// <summary><c>Σ_i S_i / Σ_i c_i</c>, a scalar; 0 when no pair is selected.</summary>
        Mean,
    }

    /// <summary>Wraps a generated <see cref="IFusedPairSumKernel"/> in a TorchSharp custom autograd function:
    /// a masked pair reduction <c>reduce_{(i, j) ∈ graph} f(⟨x_i, y_j⟩, v_i)</c> that is differentiable in x,
    /// y and every per-row value v_k (which may themselves carry gradient, e.g. a fused log-sum-exp). The
    /// reduction's bookkeeping (means, empty rows) is here; the per-pair calculus is in the kernel.</summary>
    public sealed class FusedPairSumFunction : autograd.SingleTensorFunction<FusedPairSumFunction>
    {
        public override string Name => "LossDsl.FusedPairSum";

        /// <summary>Computes the region for <paramref name="x"/> [N, D] and <paramref name="y"/> [M, D] (the same
        /// tensor object twice for a self relation), <paramref name="labels"/> [N] when the graph reads them,
        /// the host numbers <paramref name="constants"/> and the per-row values <paramref name="rowValues"/>
        /// (each [N]). Returns [N] for a row reduction, a scalar otherwise, of x's dtype.</summary>
        public static Tensor Apply(IFusedPairSumKernel kernel, PairReduction reduction, Tensor x, Tensor y, Tensor? labels,
            double[] constants, Tensor[] rowValues)
        {
            if (kernel is null) throw new ArgumentNullException(nameof(kernel));
            if (x is null) throw new ArgumentNullException(nameof(x));
            if (y is null) throw new ArgumentNullException(nameof(y));
            if (constants is null) throw new ArgumentNullException(nameof(constants));
            if (rowValues is null) throw new ArgumentNullException(nameof(rowValues));
            var self = TensorData.CheckOperands(kernel.Formula, x, y, kernel.Graph.NeedsSquare);
            foreach (var v in rowValues)
            {
                if (v.device_type != DeviceType.CPU || (v.dtype != ScalarType.Float32 && v.dtype != ScalarType.Float64))
                    throw new NotSupportedException($"Fused kernel '{kernel.Formula}' needs float32 or float64 CPU row values, got {v.dtype} on {v.device}.");
                if (v.dim() != 1 || v.shape[0] != x.shape[0])
                    throw new ArgumentException($"Fused kernel '{kernel.Formula}': a row value must be [{x.shape[0]}], got shape [{string.Join(", ", v.shape)}].");
            }

            long[]? labelValues = null;
            if (kernel.Graph.NeedsLabels)
            {
                if (labels is null)
                    throw new ArgumentNullException(nameof(labels), $"Fused kernel '{kernel.Formula}' compares labels but got none.");
                labelValues = TensorData.ReadLabels(kernel.Formula, labels, x.shape[0]);
            }

            var call = new SumCall(kernel, reduction, labelValues, constants, self, rowValues.Length,
                x.requires_grad, !self && y.requires_grad);
            var args = new List<object> { x };
            if (!self) args.Add(y);
            args.AddRange(rowValues);
            args.Add(call);
            return apply(args.ToArray());
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var call = (SumCall)vars[vars.Length - 1];
            var tensors = vars.Take(vars.Length - 1).Cast<Tensor>().ToList();
            var x = tensors[0];
            var batch = call.Read(tensors);
            var sums = new double[batch.N];
            var counts = new double[batch.N];
            call.Kernel.Forward(batch, sums, counts);

            ctx.save_for_backward(tensors);
            ctx.save_data("call", call);
            ctx.save_data("counts", counts);
            switch (call.Reduction)
            {
                case PairReduction.RowSum:
                    return torch.tensor(sums, new long[] { batch.N }, x.dtype);
                case PairReduction.RowMean:
                    for (var i = 0; i < sums.Length; i++) sums[i] /= Math.Max(counts[i], 1.0);
                    return torch.tensor(sums, new long[] { batch.N }, x.dtype);
                default:
                    double total = 0.0, pairs = 0.0;
                    for (var i = 0; i < sums.Length; i++) { total += sums[i]; pairs += counts[i]; }
                    if (call.Reduction == PairReduction.Mean) total /= Math.Max(pairs, 1.0);
                    return torch.tensor(total, x.dtype);
            }
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        {
            var call = (SumCall)ctx.get_data("call");
            var counts = (double[])ctx.get_data("counts");
            var saved = ctx.get_saved_variables();
            PairBatch batch;
            ScalarType dtype;
            ScalarType[] valueTypes;
            bool[] valueNeedsGrad;
            double[] weight;
            try
            {
                dtype = saved[0].dtype;
                var first = call.Self ? 1 : 2;
                valueTypes = Enumerable.Range(first, call.RowValueCount).Select(k => saved[k].dtype).ToArray();
                valueNeedsGrad = Enumerable.Range(first, call.RowValueCount).Select(k => saved[k].requires_grad).ToArray();
                batch = call.Read(saved);
                weight = RowWeights(call.Reduction, grad_output, counts);
            }
            finally
            {
                foreach (var t in saved) t?.Dispose();
            }

            var dv = new double[call.RowValueCount][];
            for (var k = 0; k < dv.Length; k++) dv[k] = new double[batch.N];
            Tensor? dxTensor = null, dyTensor = null;
            var dx = new double[call.NeedX ? batch.N * batch.D : 0];
            if (call.Self) call.Kernel.BackwardSelf(batch, weight, call.NeedX ? dx : new double[batch.N * batch.D], dv);
            else call.Kernel.BackwardX(batch, weight, call.NeedX ? dx : new double[batch.N * batch.D], dv);
            if (call.NeedX) dxTensor = torch.tensor(dx, new long[] { batch.N, batch.D }, dtype);
            if (call.NeedY)
            {
                var dy = new double[batch.M * batch.D];
                call.Kernel.BackwardY(batch, weight, dy);
                dyTensor = torch.tensor(dy, new long[] { batch.M, batch.D }, dtype);
            }

            // One entry per forward argument: x (and y), each row value, then none for the call object.
            var grads = new List<Tensor> { dxTensor! };
            if (!call.Self) grads.Add(dyTensor!);
            for (var k = 0; k < dv.Length; k++)
                grads.Add(valueNeedsGrad[k] ? torch.tensor(dv[k], new long[] { batch.N }, valueTypes[k]) : null!);
            grads.Add(null!);
            return grads;
        }

        /// <summary><c>w_i = ∂L/∂S_i</c> from the incoming gradient: g_i, g_i / c_i, g, or g / Σ c; an empty
        /// row (or an empty mean) gets weight 0, so it passes no gradient.</summary>
        private static double[] RowWeights(PairReduction reduction, Tensor gradOutput, double[] counts)
        {
            var n = counts.Length;
            var weight = new double[n];
            switch (reduction)
            {
                case PairReduction.RowSum:
                case PairReduction.RowMean:
                    var g = TensorData.ReadValues(gradOutput, n);
                    for (var i = 0; i < n; i++)
                        weight[i] = reduction == PairReduction.RowSum ? g[i] : counts[i] > 0 ? g[i] / counts[i] : 0.0;
                    break;
                default:
                    var scalar = TensorData.ReadValues(gradOutput, 1)[0];
                    var pairs = counts.Sum();
                    var w = reduction == PairReduction.Sum ? scalar : pairs > 0 ? scalar / pairs : 0.0;
                    for (var i = 0; i < n; i++) weight[i] = w;
                    break;
            }
            return weight;
        }
    }

    /// <summary>What one pair-sum call carries besides its tensors (saved for the backward pass).</summary>
    internal sealed record SumCall(IFusedPairSumKernel Kernel, PairReduction Reduction, long[]? Labels, double[] Constants,
        bool Self, int RowValueCount, bool NeedX, bool NeedY)
    {
        /// <summary>The batch from the call's tensors: x, y unless self, then the row values.</summary>
        public PairBatch Read(IReadOnlyList<Tensor> tensors)
        {
            var x = tensors[0];
            var y = Self ? x : tensors[1];
            var first = Self ? 1 : 2;
            int n = checked((int)x.shape[0]), m = checked((int)y.shape[0]), d = checked((int)x.shape[1]);
            var xs = TensorData.ReadValues(x, n * d);
            var ys = Self ? xs : TensorData.ReadValues(y, m * d);
            var values = new double[RowValueCount][];
            for (var k = 0; k < values.Length; k++) values[k] = TensorData.ReadValues(tensors[first + k], n);
            return new PairBatch(n, m, d, xs, ys, Labels, values, Constants);
        }
    }
}
