using System;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Runtime.Kernels;

/// <summary>A callback over the engine operands of one call.</summary>
internal delegate void OperandsAction<T>(in PairOperands<T> operands) where T : unmanaged;

/// <summary>Tensors as engine spans: contiguous CPU float32/float64 memory read in place (no copy of x or y;
/// a non-contiguous tensor is made contiguous once), labels as int64.</summary>
internal static unsafe class TensorIo
{
    public static void CheckMatrix(Tensor t, string name)
    {
        if (t.dim() != 2) throw new ArgumentException($"{name} must be [rows, features], got [{string.Join(", ", t.shape)}].");
        if (t.dtype != ScalarType.Float32 && t.dtype != ScalarType.Float64)
            throw new NotSupportedException($"The pair engine runs float32 and float64; {name} is {t.dtype}.");
        if (t.device_type != DeviceType.CPU && t.device_type != DeviceType.CUDA)
            throw new NotSupportedException($"The pair engine runs on the CPU and on CUDA devices; {name} is on {t.device}.");
        if (t.shape[0] * Math.Max(1, t.shape[1]) > int.MaxValue) throw new NotSupportedException($"{name} has more than {int.MaxValue} elements.");
    }

    /// <summary>The span over a contiguous CPU tensor's elements (TorchSharp's <c>bytes</c> is a view of the
    /// tensor's memory, not a copy: the bridge writes gradients through it into fresh tensors, and
    /// <c>ZooOverEngineTests</c> would see zero gradients if it were a copy).</summary>
    public static Span<T> Span<T>(Tensor contiguous) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(contiguous.bytes);

    public static long[] Labels(Tensor labels, long rows, string name)
    {
        if (labels.dim() != 1 || labels.shape[0] != rows)
            throw new ArgumentException($"{name} must be [{rows}], got [{string.Join(", ", labels.shape)}].");
        if (labels.dtype != ScalarType.Int64 && labels.dtype != ScalarType.Int32)
            throw new ArgumentException($"{name} must be int64 or int32, got {labels.dtype}.");
        using var scope = NewDisposeScope();
        return labels.to(CPU).to_type(ScalarType.Int64).contiguous().data<long>().ToArray();
    }

    /// <summary>Builds the operands of a call on CPU tensors and runs the action of their dtype.</summary>
    public static void WithOperands(Tensor x, Tensor y, PairCall call, OperandsAction<float> f32, OperandsAction<double> f64) =>
        WithOperands(x, y, call, call.Metric, f32, f64);

    /// <summary>As above, with the relation's metric given (the bridge hands a cosine relation over as unit rows and a
    /// dot product, see <see cref="CosineRows"/>).</summary>
    public static void WithOperands(Tensor x, Tensor y, PairCall call, PairMetric metric, OperandsAction<float> f32, OperandsAction<double> f64)
    {
        using var scope = NewDisposeScope();
        var e = call.Extras;
        var xc = x.detach().contiguous();
        var yc = call.Self ? xc : y.detach().contiguous();
        Tensor? Values(Tensor? t, long length, string name)
        {
            if (t is null) return null;
            if (t.dim() != 1 || t.shape[0] != length) throw new ArgumentException($"{name} must be [{length}], got [{string.Join(", ", t.shape)}].");
            return t.detach().to_type(x.dtype).contiguous();
        }
        var r0 = Values(e.R0, x.shape[0], "R0");
        var r1 = Values(e.R1, x.shape[0], "R1");
        var c0 = Values(e.C0, y.shape[0], "C0");
        var c1 = Values(e.C1, y.shape[0], "C1");
        var w = e.Weights?.detach().to_type(x.dtype).contiguous();
        var x2 = e.X2?.detach().to_type(x.dtype).contiguous();
        var y2 = call.Self ? x2 : (e.Y2 ?? e.X2)?.detach().to_type(x.dtype).contiguous();
        var rowLabels = e.RowLabels is null ? null : Labels(e.RowLabels, x.shape[0], "row labels");
        var colLabels = e.ColumnLabels is null ? null : Labels(e.ColumnLabels, y.shape[0], "column labels");
        if (x.dtype == ScalarType.Float32) Run(f32);
        else Run(f64);

        void Run<T>(OperandsAction<T> action) where T : unmanaged
        {
            var ops = call.Self
                ? PairOperands<T>.SelfRelation(Span<T>(xc), (int)x.shape[0], (int)x.shape[1], metric)
                : PairOperands<T>.Cross(Span<T>(xc), (int)x.shape[0], Span<T>(yc), (int)y.shape[0], (int)x.shape[1], metric);
            if (rowLabels is not null) ops.RowLabels = rowLabels;
            if (colLabels is not null) ops.ColumnLabels = colLabels;
            if (r0 is not null) ops.R0 = Span<T>(r0);
            if (r1 is not null) ops.R1 = Span<T>(r1);
            if (c0 is not null) ops.C0 = Span<T>(c0);
            if (c1 is not null) ops.C1 = Span<T>(c1);
            if (w is not null) ops.Weights = Span<T>(w);
            if (x2 is not null)
            {
                ops.X2 = Span<T>(x2);
                ops.Y2 = Span<T>(y2!);
                ops.D2 = (int)x2.shape[1];
                ops.Metric2 = e.Metric2;
            }
            action(ops);
        }
    }

    /// <summary>The engine's gradient spans over freshly zeroed CPU tensors (slots: R0, R1, C0, C1).</summary>
    public static PairGradients<T> Grads<T>(Tensor dx, Tensor? dy, Tensor?[] slots) where T : unmanaged => new()
    {
        DX = Span<T>(dx),
        DY = dy is null ? default : Span<T>(dy),
        DR0 = slots[0] is null ? default : Span<T>(slots[0]!),
        DR1 = slots[1] is null ? default : Span<T>(slots[1]!),
        DC0 = slots[2] is null ? default : Span<T>(slots[2]!),
        DC1 = slots[3] is null ? default : Span<T>(slots[3]!),
    };
}
