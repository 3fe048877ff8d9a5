using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Runtime.Fused
{
    /// <summary>Wraps a generated <see cref="IFusedPairKernel"/> in a TorchSharp custom autograd
    /// function, so a fused region sits in the autograd graph like any other op and
    /// <c>Total.backward()</c> reaches x and y through it. Nothing here depends on the formula: the
    /// checks, the tensor ⇄ array plumbing and the gradient bookkeeping are shared by all regions.</summary>
    public sealed class FusedPairFunction : autograd.SingleTensorFunction<FusedPairFunction>
    {
        public override string Name => "LossDsl.FusedPairReduction";

        /// <summary>Computes the region for tensors <paramref name="x"/> [N, D] and
        /// <paramref name="y"/> [M, D] (pass the same tensor object twice for a self relation: its
        /// gradient then sums the x and y contributions). <paramref name="labels"/> [N] is read only when
        /// the kernel's graph compares labels; <paramref name="scale"/> is the value of the region's
        /// scale node (a host number, not differentiated). Returns out [N] of x's dtype.</summary>
        public static Tensor Apply(IFusedPairKernel kernel, Tensor x, Tensor y, Tensor? labels, double scale)
        {
            if (kernel is null) throw new ArgumentNullException(nameof(kernel));
            if (x is null) throw new ArgumentNullException(nameof(x));
            if (y is null) throw new ArgumentNullException(nameof(y));
            var self = TensorData.CheckOperands(kernel.Formula, x, y, kernel.Graph.NeedsSquare);
            var graph = kernel.Graph;

            long[]? labelValues = null;
            if (graph.NeedsLabels)
            {
                if (labels is null)
                    throw new ArgumentNullException(nameof(labels), $"Fused kernel '{kernel.Formula}' compares labels but got none.");
                labelValues = TensorData.ReadLabels(kernel.Formula, labels, x.shape[0]);
            }

            var call = new FusedCall(kernel, labelValues, scale, self, x.requires_grad, !self && y.requires_grad);
            return self ? apply(x, call) : apply(x, y, call);
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var x = (Tensor)vars[0];
            var call = (FusedCall)vars[vars.Length - 1];
            var y = call.Self ? x : (Tensor)vars[1];

            var batch = TensorData.ReadBatch(x, y, call);
            var output = new double[batch.N];
            call.Kernel.Forward(batch, output);

            var saved = new List<Tensor> { x };
            if (!call.Self) saved.Add(y);
            ctx.save_for_backward(saved);
            ctx.save_data("call", call);
            ctx.save_data("output", output);
            return torch.tensor(output, new long[] { batch.N }, x.dtype);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        {
            var call = (FusedCall)ctx.get_data("call");
            var output = (double[])ctx.get_data("output");
            var saved = ctx.get_saved_variables();
            PairBatch batch;
            ScalarType dtype;
            double[] grad;
            try
            {
                var x = saved[0];
                var y = call.Self ? x : saved[1];
                dtype = x.dtype;
                batch = TensorData.ReadBatch(x, y, call);
                grad = TensorData.ReadValues(grad_output, batch.N);
            }
            finally
            {
                foreach (var t in saved) t?.Dispose();
            }

            Tensor? dxTensor = null, dyTensor = null;
            if (call.NeedX)
            {
                var dx = new double[batch.N * batch.D];
                // A self relation is both operands: one pass adds x's and y's contributions.
                if (call.Self) call.Kernel.BackwardSelf(batch, output, grad, dx);
                else call.Kernel.BackwardX(batch, output, grad, dx);
                dxTensor = torch.tensor(dx, new long[] { batch.N, batch.D }, dtype);
            }
            if (call.NeedY)
            {
                var dy = new double[batch.M * batch.D];
                call.Kernel.BackwardY(batch, output, grad, dy);
                dyTensor = torch.tensor(dy, new long[] { batch.M, batch.D }, dtype);
            }

            // One entry per forward argument: the tensors' gradients, then none for the call object.
            return call.Self
                ? new List<Tensor> { dxTensor!, null! }
                : new List<Tensor> { dxTensor!, dyTensor!, null! };
        }
    }

    /// <summary>What one call carries besides its tensors (saved for the backward pass).</summary>
    internal sealed record FusedCall(IFusedPairKernel Kernel, long[]? Labels, double Scale, bool Self, bool NeedX, bool NeedY);

    /// <summary>Reads CPU tensors into row-major double arrays (O(N·D), never more).</summary>
    internal static class TensorData
    {
        /// <summary>Checks both operands of a fused kernel and that they fit together; returns whether they are
        /// one tensor (a self relation, whose gradient sums both parts).</summary>
        public static bool CheckOperands(string formula, Tensor x, Tensor y, bool needsSquare)
        {
            var self = ReferenceEquals(x, y);
            CheckOperand(formula, x, "x");
            if (!self) CheckOperand(formula, y, "y");
            if (x.dtype != y.dtype)
                throw new ArgumentException($"Fused kernel '{formula}': x is {x.dtype} but y is {y.dtype}; both must have one dtype.");
            if (x.shape[1] != y.shape[1])
                throw new ArgumentException($"Fused kernel '{formula}': x has {x.shape[1]} features per row but y has {y.shape[1]}.");
            if (needsSquare && x.shape[0] != y.shape[0])
                throw new ArgumentException($"Fused kernel '{formula}': its graph pairs row i with column i, so x and y need the same number of rows (got {x.shape[0]} and {y.shape[0]}).");
            return self;
        }

        /// <summary>A fused kernel's operand: a CPU float32/float64 matrix [rows, features] that fits in arrays.</summary>
        public static void CheckOperand(string formula, Tensor t, string name)
        {
            if (t.device_type != DeviceType.CPU)
                throw new NotSupportedException(
                    $"Fused kernel '{formula}' runs on the CPU only, but {name} is on {t.device}. " +
                    "Set UseFusedKernels = false on the loss to compute it with plain TorchSharp on this device.");
            if (t.dtype != ScalarType.Float32 && t.dtype != ScalarType.Float64)
                throw new NotSupportedException(
                    $"Fused kernel '{formula}' supports float32 and float64, but {name} is {t.dtype}. " +
                    "Set UseFusedKernels = false on the loss to compute it with plain TorchSharp.");
            if (t.dim() != 2)
                throw new ArgumentException($"Fused kernel '{formula}': {name} must be [rows, features], got shape [{string.Join(", ", t.shape)}].");
            if (t.shape[0] * Math.Max(1, t.shape[1]) > int.MaxValue)
                throw new NotSupportedException($"Fused kernel '{formula}': {name} has more than {int.MaxValue} elements.");
        }

        public static PairBatch ReadBatch(Tensor x, Tensor y, FusedCall call)
        {
            int n = checked((int)x.shape[0]), m = checked((int)y.shape[0]), d = checked((int)x.shape[1]);
            var xs = ReadValues(x, n * d);
            var ys = call.Self ? xs : ReadValues(y, m * d);
            return new PairBatch(n, m, d, xs, ys, call.Labels, call.Scale);
        }

        /// <summary>All elements of a float32/float64 CPU tensor in row-major order, as doubles.</summary>
        public static double[] ReadValues(Tensor t, int count)
        {
            var values = new double[count];
            if (count == 0) return values;
            using var scope = torch.NewDisposeScope();
            var c = t.detach();
            if (c.dtype != ScalarType.Float32 && c.dtype != ScalarType.Float64) c = c.to_type(ScalarType.Float64);
            c = c.contiguous();
            if (c.numel() != count) throw new InvalidOperationException($"Expected {count} elements, found {c.numel()}.");
            if (c.dtype == ScalarType.Float64)
            {
                MemoryMarshal.Cast<byte, double>(c.bytes).CopyTo(values);
            }
            else
            {
                var floats = MemoryMarshal.Cast<byte, float>(c.bytes);
                for (var k = 0; k < values.Length; k++) values[k] = floats[k];
            }
            return values;
        }

        public static long[] ReadLabels(string formula, Tensor labels, long rows)
        {
            if (labels.device_type != DeviceType.CPU)
                throw new NotSupportedException($"Fused kernel '{formula}' runs on the CPU only, but the labels are on {labels.device}.");
            if (labels.dim() != 1 || labels.shape[0] != rows)
                throw new ArgumentException($"Fused kernel '{formula}': labels must be [{rows}], got shape [{string.Join(", ", labels.shape)}].");
            if (labels.dtype != ScalarType.Int64 && labels.dtype != ScalarType.Int32)
                throw new ArgumentException($"Fused kernel '{formula}': labels must be int64 or int32, got {labels.dtype}.");
            var values = new long[rows];
            if (rows == 0) return values;
            using var scope = torch.NewDisposeScope();
            var c = labels.to_type(ScalarType.Int64).contiguous();
            MemoryMarshal.Cast<byte, long>(c.bytes).CopyTo(values);
            return values;
        }
    }
}
