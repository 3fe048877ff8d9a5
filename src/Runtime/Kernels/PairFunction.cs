using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime.Kernels.Gpu;
using TorchSharp;
using static TorchSharp.torch;
using static LossDsl.Runtime.Kernels.GradientBuffers;

namespace LossDsl.Runtime.Kernels;

/// <summary>What a pair reduction returns to autograd.</summary>
public enum PairOutput
{
    /// <summary>[N]: the row reductions (sum, log-sum-exp, max or min; an empty row gives the identity).</summary>
    Rows,
    /// <summary>[N]: row sum / kept pairs (0 for an empty row).</summary>
    RowMean,
    /// <summary>[N]: row sum / pairs with f &gt; 0 (0 when none).</summary>
    RowMeanNonZero,
    /// <summary>Scalar: Σ over kept pairs.</summary>
    Sum,
    /// <summary>Scalar: Σ / kept pairs (0 when none).</summary>
    Mean,
    /// <summary>Scalar: Σ / pairs with f &gt; 0 (pytorch-metric-learning's AvgNonZero; 0 when none).</summary>
    MeanNonZero,
}

/// <summary>The optional operands of a pair reduction besides x and y.</summary>
public sealed class PairExtras
{
    /// <summary>Row labels [N] (int64/int32), for label masks.</summary>
    public Tensor? RowLabels { get; init; }
    /// <summary>Column labels [M]; null: the row labels.</summary>
    public Tensor? ColumnLabels { get; init; }
    /// <summary>Row values [N] (R0, R1), differentiable.</summary>
    public Tensor? R0 { get; init; }
    /// <summary>Row value 1 [N].</summary>
    public Tensor? R1 { get; init; }
    /// <summary>Column values [M] (C0, C1), differentiable.</summary>
    public Tensor? C0 { get; init; }
    /// <summary>Column value 1 [M].</summary>
    public Tensor? C1 { get; init; }
    /// <summary>Pair weights [N, M] (the <see cref="WeightMatrix"/> mask); no gradient.</summary>
    public Tensor? Weights { get; init; }
    /// <summary>The second relation's rows [N, D2] (no gradient).</summary>
    public Tensor? X2 { get; init; }
    /// <summary>The second relation's columns [M, D2]; null: a self relation on X2.</summary>
    public Tensor? Y2 { get; init; }
    /// <summary>The second relation's metric.</summary>
    public PairMetric Metric2 { get; init; }

    /// <summary>The non-differentiable tensors, in the order <see cref="WithOperands"/> reads them back.</summary>
    internal IEnumerable<Tensor> Operands() =>
        new[] { RowLabels, ColumnLabels, Weights, X2, Y2 }.Where(t => t is not null)!;

    /// <summary>These extras with the non-differentiable tensors replaced by <paramref name="operands"/> (in
    /// <see cref="Operands"/>' order) and the row and column values by <paramref name="values"/> (R0, R1, C0, C1).</summary>
    internal PairExtras WithOperands(IReadOnlyList<Tensor> operands, Tensor?[] values)
    {
        var k = 0;
        Tensor? Next(Tensor? original) => original is null ? null : operands[k++];
        return new PairExtras
        {
            RowLabels = Next(RowLabels), ColumnLabels = Next(ColumnLabels), Weights = Next(Weights), X2 = Next(X2), Y2 = Next(Y2),
            R0 = values[0], R1 = values[1], C0 = values[2], C1 = values[3], Metric2 = Metric2,
        };
    }
}

/// <summary>The autograd bridge: one fused region as a TorchSharp custom autograd function over the engine,
/// generic over the region's formula, mask and reduction. Gradients reach x, y and the row and column values;
/// labels, weights and the second relation get none. CPU tensors run <see cref="PairEngine"/> on the tensors'
/// memory (no copies of x or y); CUDA tensors run the ILGPU kernels (<see cref="IlgpuPairEngine"/>), and so do CPU tensors under
/// <see cref="FusionPolicy.CpuBackend"/> = <see cref="CpuBackend.IlgpuCpu"/>. (Generated losses call it for CUDA
/// tensors only under <see cref="FusionPolicy.FuseOnCuda"/>; by default they run their unfused nodes there.)</summary>
public sealed class PairFunction<TF, TM, TR> : autograd.SingleTensorFunction<PairFunction<TF, TM, TR>>
    where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
{
    public override string Name => "LossDsl.PairReduction";

    /// <summary>Computes <c>reduce_j f</c> for x [N, D] and y [M, D] (null: x against itself).</summary>
    /// <exception cref="ArgumentException">Shapes, dtypes or devices disagree.</exception>
    /// <exception cref="NotSupportedException">A dtype other than float32/float64.</exception>
    public static Tensor Apply(TF formula, TM mask, PairOutput output, Tensor x, Tensor? y, PairMetric metric, PairExtras? extras = null)
    {
        if (x is null) throw new ArgumentNullException(nameof(x));
        extras ??= new PairExtras();
        if (TR.Kind != ReduceKind.Sum && output != PairOutput.Rows)
            throw new ArgumentException($"A {TR.Kind} reduction returns rows only, not {output}.");
        TensorIo.CheckMatrix(x, "x");
        if (y is not null)
        {
            TensorIo.CheckMatrix(y, "y");
            if (y.dtype != x.dtype || y.device_type != x.device_type || y.device_index != x.device_index || y.shape[1] != x.shape[1])
                throw new ArgumentException($"x [{string.Join(", ", x.shape)}] {x.dtype} on {x.device} and y [{string.Join(", ", y.shape)}] {y.dtype} on {y.device} must share dtype, device and features.");
        }
        var call = new PairCall(formula, mask, output, metric, extras, y is null);
        if (metric == PairMetric.Cosine && call.Accelerator(x) is not null)
        {
            // The ILGPU kernels' cosine scales raw products (see CosineRows for why the CPU bridge does not): there the
            // rows are normalised by Ops.Normalize, exact at any magnitude, and the kernels run a dot product.
            x = Ops.Normalize(x);
            y = y is null ? null : Ops.Normalize(y);
            call = new PairCall(formula, mask, output, PairMetric.Dot, extras, y is null);
        }
        var args = new List<object> { x };
        if (y is not null) args.Add(y);
        foreach (var v in call.Values) args.Add(v);
        args.Add(call);
        return apply(args.ToArray());
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var call = (PairCall)vars[^1];
        var tensors = vars.Take(vars.Length - 1).Cast<Tensor>().ToList();
        var x = tensors[0];
        var y = call.Self ? x : tensors[1];
        int n = (int)x.shape[0], m = (int)y.shape[0];
        var rows = new RowResult(n);
        if (call.Accelerator(x) is { } accelerator) IlgpuPairEngine.Forward<TF, TM, TR>(accelerator, (TF)call.Formula, (TM)call.Mask, x, y, call.Metric, call.Extras, call.Self, rows);
        else
        {
            using var engineRows = CosineRows.For(x, y, call.Self, call.Metric);
            TensorIo.WithOperands(engineRows.X, engineRows.Y, call, engineRows.Metric,
                (in PairOperands<float> o) => PairEngine.Forward<float, TF, TM, TR>(o, (TF)call.Formula, (TM)call.Mask, rows.AsRows()),
                (in PairOperands<double> o) => PairEngine.Forward<double, TF, TM, TR>(o, (TF)call.Formula, (TM)call.Mask, rows.AsRows()));
        }
        // Everything the backward pass reads is saved through autograd: the caller's tensors (row values, labels,
        // the second relation) may be disposed before it runs (a generated Compute frees its intermediates).
        ctx.save_for_backward(tensors.Concat(call.Extras.Operands()).ToList());
        ctx.save_data("call", call);
        ctx.save_data("rows", rows);
        return rows.Result(call.Output, x.dtype, x.device);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var rows = (RowResult)ctx.get_data("rows");
        var saved = ctx.get_saved_variables();
        try
        {
            var first = ((PairCall)ctx.get_data("call")).Self ? 1 : 2;
            var call = ((PairCall)ctx.get_data("call")).Restore(saved, first);
            var x = saved[0];
            var y = call.Self ? x : saved[1];
            var weight = rows.Weights(call.Output, grad_output);
            var needX = x.requires_grad || call.Self;
            var dx = Zeros(x);
            var dy = call.Self ? null : Zeros(y);
            var dv = call.Values.Select(Zeros).ToArray();
            var slots = new Tensor?[4];
            for (var k = 0; k < call.ValueSlots.Length; k++) slots[call.ValueSlots[k]] = dv[k];
            if (call.Accelerator(x) is { } accelerator)
                IlgpuPairEngine.Backward<TF, TM, TR>(accelerator, (TF)call.Formula, (TM)call.Mask, x, y, call.Metric, call.Extras, call.Self, rows, weight, dx, dy, slots);
            else
            {
                using var engineRows = CosineRows.For(x, y, call.Self, call.Metric);
                TensorIo.WithOperands(engineRows.X, engineRows.Y, call, engineRows.Metric,
                    (in PairOperands<float> o) => PairEngine.Backward<float, TF, TM, TR>(o, (TF)call.Formula, (TM)call.Mask, rows.Value, rows.Arg, weight, TensorIo.Grads<float>(dx, dy, slots)),
                    (in PairOperands<double> o) => PairEngine.Backward<double, TF, TM, TR>(o, (TF)call.Formula, (TM)call.Mask, rows.Value, rows.Arg, weight, TensorIo.Grads<double>(dx, dy, slots)));
                engineRows.Backward(dx, dy);
            }
            var grads = new List<Tensor> { needX ? dx : null! };
            if (!call.Self) grads.Add(dy!);
            for (var k = 0; k < dv.Length; k++) grads.Add(saved[first + k].requires_grad ? dv[k] : null!);
            grads.Add(null!);
            return grads;
        }
        finally
        {
            foreach (var t in saved) t?.Dispose();
        }
    }
}

/// <summary>Zeroed gradient buffers.</summary>
internal static class GradientBuffers
{
    /// <summary>A contiguous zero tensor of <paramref name="t"/>'s shape, dtype and device. On the CPU it is cleared here rather than by libtorch: a
    /// libtorch fill of more than its grain size wakes its OpenMP team, whose threads then spin-wait for tens of
    /// milliseconds on the cores the engine is about to use (on 2 cores that tripled small backward passes).</summary>
    public static Tensor Zeros(Tensor t)
    {
        if (t.device_type != DeviceType.CPU) return zeros_like(t);
        // Contiguous whatever t's strides (a transposed operand, CosFace's Wᵀ): the engine writes it as rows.
        var z = empty(t.shape, t.dtype, t.device);
        z.bytes.Clear();
        return z;
    }
}

/// <summary>One call's host-side arguments (saved for the backward pass).</summary>
internal sealed class PairCall
{
    public PairCall(IPairFormula formula, IPairMask mask, PairOutput output, PairMetric metric, PairExtras extras, bool self)
        : this(formula, mask, output, metric, extras, self, FusionPolicy.CpuBackend) { }

    private PairCall(IPairFormula formula, IPairMask mask, PairOutput output, PairMetric metric, PairExtras extras, bool self, CpuBackend backend)
    {
        Formula = formula;
        Mask = mask;
        Output = output;
        Metric = metric;
        Extras = extras;
        Self = self;
        Backend = backend;
        var values = new List<Tensor>();
        var slots = new List<int>();
        void Add(Tensor? t, int slot) { if (t is not null) { values.Add(t); slots.Add(slot); } }
        Add(extras.R0, 0); Add(extras.R1, 1); Add(extras.C0, 2); Add(extras.C1, 3);
        Values = values.ToArray();
        ValueSlots = slots.ToArray();
    }

    public readonly object Formula, Mask;
    public readonly PairOutput Output;
    public readonly PairMetric Metric;
    public readonly PairExtras Extras;
    public readonly bool Self;
    /// <summary>Where CPU tensors run, as set when the forward pass started (the backward pass may run on another thread).</summary>
    public readonly CpuBackend Backend;

    /// <summary>This call over the tensors autograd saved in the forward pass: x, y (unless a self relation), the
    /// values, then the extras' other tensors (see <see cref="PairExtras.Operands"/>).</summary>
    public PairCall Restore(IList<Tensor> saved, int firstValue)
    {
        var values = new Tensor?[4];
        for (var k = 0; k < ValueSlots.Length; k++) values[ValueSlots[k]] = saved[firstValue + k];
        var operands = saved.Skip(firstValue + ValueSlots.Length).ToList();
        return new PairCall((IPairFormula)Formula, (IPairMask)Mask, Output, Metric, Extras.WithOperands(operands, values), Self, Backend);
    }

    /// <summary>The ILGPU accelerator this call runs on (CUDA tensors; CPU tensors under <see cref="CpuBackend.IlgpuCpu"/>),
    /// or null for the SIMD engine.</summary>
    public ILGPU.Runtime.Accelerator? Accelerator(Tensor x) =>
        x.device_type == DeviceType.CUDA ? IlgpuPairEngine.CudaAccelerator(x.device.index < 0 ? 0 : x.device.index)
        : Backend == CpuBackend.IlgpuCpu ? IlgpuPairEngine.CpuAccelerator : null;
    /// <summary>The differentiable value tensors, in the order they are passed to autograd, and their slots (R0, R1, C0, C1).</summary>
    public readonly Tensor[] Values;
    public readonly int[] ValueSlots;
}

/// <summary>The forward's per-row results, and the per-row weights of the backward pass derived from them.</summary>
internal sealed class RowResult
{
    public RowResult(int n)
    {
        Value = new double[n];
        Count = new long[n];
        NonZero = new long[n];
        Arg = new int[n];
    }

    public readonly double[] Value;
    public readonly long[] Count, NonZero;
    public readonly int[] Arg;

    public PairRows AsRows() => new() { Value = Value, Count = Count, NonZero = NonZero, Arg = Arg };

    /// <summary>The output tensor of <paramref name="output"/>.</summary>
    public Tensor Result(PairOutput output, ScalarType dtype, Device device)
    {
        var n = Value.Length;
        Tensor t;
        switch (output)
        {
            case PairOutput.Rows:
                t = tensor(Value, new long[] { n }, dtype);
                break;
            case PairOutput.RowMean:
            case PairOutput.RowMeanNonZero:
                var means = new double[n];
                var counts = output == PairOutput.RowMean ? Count : NonZero;
                for (var i = 0; i < n; i++) means[i] = counts[i] > 0 ? Value[i] / counts[i] : 0.0;
                t = tensor(means, new long[] { n }, dtype);
                break;
            default:
                var total = 0.0;
                long pairs = 0;
                for (var i = 0; i < n; i++) { total += Value[i]; pairs += output == PairOutput.Mean ? Count[i] : NonZero[i]; }
                if (output != PairOutput.Sum) total = pairs > 0 ? total / pairs : 0.0;
                t = tensor(total, dtype);
                break;
        }
        return device.type == DeviceType.CPU ? t : t.to(device);
    }

    /// <summary><c>w_i = ∂L/∂S_i</c>: g_i, g_i / c_i, g, g / Σc; 0 for an empty row (it passes no gradient).</summary>
    public double[] Weights(PairOutput output, Tensor gradOutput)
    {
        var n = Value.Length;
        var g = gradOutput.detach().to(CPU).to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var w = new double[n];
        switch (output)
        {
            case PairOutput.Rows:
                for (var i = 0; i < n; i++) w[i] = double.IsInfinity(Value[i]) ? 0.0 : g[i];
                break;
            case PairOutput.RowMean:
            case PairOutput.RowMeanNonZero:
                var counts = output == PairOutput.RowMean ? Count : NonZero;
                for (var i = 0; i < n; i++) w[i] = counts[i] > 0 ? g[i] / counts[i] : 0.0;
                break;
            default:
                long pairs = 0;
                for (var i = 0; i < n; i++) pairs += output == PairOutput.MeanNonZero ? NonZero[i] : Count[i];
                var scale = output == PairOutput.Sum ? g[0] : pairs > 0 ? g[0] / pairs : 0.0;
                Array.Fill(w, scale);
                break;
        }
        return w;
    }
}
