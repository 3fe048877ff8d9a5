using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Runtime.Kernels.Gpu;

/// <summary>The pair engine on ILGPU accelerators, over the same formula and mask structs as
/// <see cref="PairEngine"/>: the CPU accelerator in tests, CUDA for CUDA tensors. Kernels are compiled once per
/// (accelerator, instantiation) and cached. Operands are uploaded from host spans (for CUDA tensors: copied to
/// the host first — not zero-copy, see docs/kernels.md). Max/min backward (one pair per row, O(N·D)) and relations
/// of more than <see cref="PairKernels.MaxSharedD"/> coordinates run on the host engine.</summary>
public static class IlgpuPairEngine
{
    private static readonly Lazy<Context> SharedContext = new(() => Context.Create(b => b.Default().EnableAlgorithms()));
    private static readonly Lazy<Accelerator> Cpu = new(() => SharedContext.Value.CreateCPUAccelerator(0));
    private static readonly ConcurrentDictionary<int, Accelerator> Cuda = new();
    private static readonly ConditionalWeakTable<Accelerator, ConcurrentDictionary<string, object>> Kernels = new();

    /// <summary>The ILGPU context (CPU and CUDA devices, ILGPU.Algorithms enabled).</summary>
    public static Context Context => SharedContext.Value;

    /// <summary>ILGPU's CPU accelerator (multi-threaded .NET execution of the kernels: for tests).</summary>
    public static Accelerator CpuAccelerator => Cpu.Value;

    /// <summary>The CUDA accelerator of device <paramref name="index"/>.</summary>
    /// <exception cref="NotSupportedException">No such CUDA device is visible to ILGPU.</exception>
    public static Accelerator CudaAccelerator(int index) => Cuda.GetOrAdd(index, i =>
    {
        var devices = Context.GetCudaDevices();
        if (i < 0 || i >= devices.Count) throw new NotSupportedException($"ILGPU sees {devices.Count} CUDA device(s); cuda:{i} is not one of them.");
        return devices[i].CreateAccelerator(Context);
    });

    /// <summary>The kernel for this accelerator and instantiation, compiled on first use.</summary>
    internal static TDelegate Kernel<TDelegate>(Accelerator accelerator, string key, Func<Accelerator, TDelegate> load) where TDelegate : class =>
        (TDelegate)Kernels.GetValue(accelerator, _ => new ConcurrentDictionary<string, object>()).GetOrAdd(key, _ => load(accelerator));

    /// <summary>The forward pass on <paramref name="accelerator"/> (see <see cref="PairEngine.Forward{T, TF, TM, TR}"/>).</summary>
    public static void Forward<T, TF, TM, TR>(Accelerator accelerator, in PairOperands<T> operands, TF formula, TM mask, PairRows rows)
        where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        if (operands.D > PairKernels.MaxSharedD)
        {
            // The kernels stage each thread's vector in shared memory; beyond that (rare) the host engine runs it.
            PairEngine.Forward<T, TF, TM, TR>(operands, formula, mask, rows);
            return;
        }
        operands.Validate(TM.ReadsLabels, TM.ReadsWeights, TF.ReadsSecondRelation, TF.RowValueCount, TF.ColumnValueCount);
        var host = HostOperands<T>.From(operands, TR.Kind);
        if (host.N == 0) return;
        if (typeof(T) == typeof(float)) GpuRun<float, GpuMath32, TF, TM>.Forward(accelerator, Unsafe.As<HostOperands<float>>(host), formula, mask, rows);
        else GpuRun<double, GpuMath64, TF, TM>.Forward(accelerator, Unsafe.As<HostOperands<double>>(host), formula, mask, rows);
    }

    /// <summary>Whether a log-sum-exp backward over a symmetric self relation (<see cref="PairEngine.SymmetricLogSumExp"/>:
    /// NT-Xent's and SupCon's negatives) runs as one kernel that adds both sides' coefficients (default), or as the
    /// rows and the columns kernels, each pair computed twice (the reference the tests compare the first against).</summary>
    public static bool SymmetriseLogSumExp { get; set; } = true;

    /// <summary>The backward pass on <paramref name="accelerator"/> (see <c>PairEngine.Backward</c>).</summary>
    public static void Backward<T, TF, TM, TR>(Accelerator accelerator, in PairOperands<T> operands, TF formula, TM mask,
        ReadOnlySpan<double> rowValue, ReadOnlySpan<int> arg, ReadOnlySpan<double> rowWeight, PairGradients<T> grads)
        where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        // Max/min: one pair per row, O(N·D). D beyond the kernels' shared-memory accumulators: rare; correct on the host.
        if (TR.Kind is ReduceKind.Max or ReduceKind.Min || operands.D > PairKernels.MaxSharedD)
        {
            PairEngine.Backward<T, TF, TM, TR>(operands, formula, mask, rowValue, arg, rowWeight, grads);
            return;
        }
        operands.Validate(TM.ReadsLabels, TM.ReadsWeights, TF.ReadsSecondRelation, TF.RowValueCount, TF.ColumnValueCount);
        var host = HostOperands<T>.From(operands, TR.Kind);
        if (host.N == 0 || host.M == 0) return;
        var value = rowValue.IsEmpty ? new double[host.N] : rowValue.ToArray();
        var symmetric = SymmetriseLogSumExp && PairEngine.SymmetricLogSumExp<T, TF, TM, TR>(operands, mask);
        GradTargets<T> result;
        if (typeof(T) == typeof(float))
        {
            var g = new GradTargets<float>(grads.DX.IsEmpty ? null : new float[grads.DX.Length], grads.DY.IsEmpty ? null : new float[grads.DY.Length],
                grads.DR0.Length, grads.DR1.Length, grads.DC0.Length, grads.DC1.Length);
            GpuRun<float, GpuMath32, TF, TM>.Backward(accelerator, Unsafe.As<HostOperands<float>>(host), formula, mask, value, rowWeight.ToArray(), g, symmetric);
            result = Unsafe.As<GradTargets<T>>(g);
        }
        else
        {
            var g = new GradTargets<double>(grads.DX.IsEmpty ? null : new double[grads.DX.Length], grads.DY.IsEmpty ? null : new double[grads.DY.Length],
                grads.DR0.Length, grads.DR1.Length, grads.DC0.Length, grads.DC1.Length);
            GpuRun<double, GpuMath64, TF, TM>.Backward(accelerator, Unsafe.As<HostOperands<double>>(host), formula, mask, value, rowWeight.ToArray(), g, symmetric);
            result = Unsafe.As<GradTargets<T>>(g);
        }
        Add(grads.DX, result.DX);
        Add(grads.DY, result.DY);
        Add(grads.DR0, result.DR0);
        Add(grads.DR1, result.DR1);
        Add(grads.DC0, result.DC0);
        Add(grads.DC1, result.DC1);
    }

    private static void Add<T>(Span<T> target, T[]? source) where T : unmanaged
    {
        if (source is null || target.IsEmpty) return;
        for (var k = 0; k < target.Length; k++) target[k] = PairEngine.FromDouble<T>(PairEngine.ToDouble(target[k]) + PairEngine.ToDouble(source[k]));
    }

    // Tensors (from PairFunction): through the host (not zero-copy), on the given accelerator (the tensor's CUDA
    // device, or the CPU accelerator under CpuBackend.IlgpuCpu).

    internal static void Forward<TF, TM, TR>(Accelerator accelerator, TF formula, TM mask, Tensor x, Tensor y, PairMetric metric, PairExtras extras, bool self, RowResult rows)
        where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        using var scope = NewDisposeScope();
        var (xh, yh, call) = ToHost(formula, mask, x, y, metric, extras, self);
        TensorIo.WithOperands(xh, yh, call,
            (in PairOperands<float> o) => Forward<float, TF, TM, TR>(accelerator, o, formula, mask, rows.AsRows()),
            (in PairOperands<double> o) => Forward<double, TF, TM, TR>(accelerator, o, formula, mask, rows.AsRows()));
    }

    internal static void Backward<TF, TM, TR>(Accelerator accelerator, TF formula, TM mask, Tensor x, Tensor y, PairMetric metric, PairExtras extras, bool self,
        RowResult rows, double[] weight, Tensor dx, Tensor? dy, Tensor?[] slots)
        where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        using var scope = NewDisposeScope();
        var (xh, yh, call) = ToHost(formula, mask, x, y, metric, extras, self);
        var dxh = zeros_like(xh);
        var dyh = dy is null ? null : zeros_like(yh);
        var slotsh = new Tensor?[slots.Length];
        for (var k = 0; k < slots.Length; k++) slotsh[k] = slots[k] is null ? null : zeros(slots[k]!.shape, slots[k]!.dtype);
        TensorIo.WithOperands(xh, yh, call,
            (in PairOperands<float> o) => Backward<float, TF, TM, TR>(accelerator, o, formula, mask, rows.Value, rows.Arg, weight, TensorIo.Grads<float>(dxh, dyh, slotsh)),
            (in PairOperands<double> o) => Backward<double, TF, TM, TR>(accelerator, o, formula, mask, rows.Value, rows.Arg, weight, TensorIo.Grads<double>(dxh, dyh, slotsh)));
        dx.copy_(dxh);
        dy?.copy_(dyh!);
        for (var k = 0; k < slots.Length; k++) slots[k]?.copy_(slotsh[k]!);
    }

    private static (Tensor X, Tensor Y, PairCall Call) ToHost(object formula, object mask, Tensor x, Tensor y, PairMetric metric, PairExtras e, bool self)
    {
        Tensor? H(Tensor? t) => t?.detach().cpu();
        var extras = new PairExtras
        {
            RowLabels = H(e.RowLabels), ColumnLabels = H(e.ColumnLabels), R0 = H(e.R0), R1 = H(e.R1), C0 = H(e.C0), C1 = H(e.C1),
            Weights = H(e.Weights), X2 = H(e.X2), Y2 = H(e.Y2), Metric2 = e.Metric2,
        };
        var xh = x.detach().cpu();
        return (xh, self ? xh : y.detach().cpu(), new PairCall((IPairFormula)formula, (IPairMask)mask, PairOutput.Rows, metric, extras, self));
    }
}

/// <summary>Managed copies of one call's operands with the per-call derived data (dense labels, metric aux).</summary>
internal sealed class HostOperands<T> where T : unmanaged
{
    public T[] X = Array.Empty<T>(), Y = Array.Empty<T>(), X2 = Array.Empty<T>(), Y2 = Array.Empty<T>();
    public T[] RowLab = Array.Empty<T>(), ColLab = Array.Empty<T>(), R0 = Array.Empty<T>(), R1 = Array.Empty<T>(), C0 = Array.Empty<T>(), C1 = Array.Empty<T>(), W = Array.Empty<T>();
    public T[] RowAux = Array.Empty<T>(), ColAux = Array.Empty<T>(), RowAux2 = Array.Empty<T>(), ColAux2 = Array.Empty<T>();
    public int N, M, D, D2, Self, Metric, Metric2, Reduce;

    public static HostOperands<T> From(in PairOperands<T> o, ReduceKind reduce)
    {
        var h = new HostOperands<T>
        {
            N = o.N, M = o.M, D = o.D, D2 = o.D2, Self = o.Self ? 1 : 0, Metric = (int)o.Metric, Metric2 = (int)o.Metric2, Reduce = (int)reduce,
            X = o.X[..(o.N * o.D)].ToArray(),
        };
        h.Y = o.Self ? h.X : o.Y[..(o.M * o.D)].ToArray();
        if (!o.X2.IsEmpty) { h.X2 = o.X2[..(o.N * o.D2)].ToArray(); h.Y2 = o.Self ? h.X2 : o.Y2[..(o.M * o.D2)].ToArray(); }
        h.R0 = o.R0.ToArray(); h.R1 = o.R1.ToArray(); h.C0 = o.C0.ToArray(); h.C1 = o.C1.ToArray(); h.W = o.Weights.ToArray();
        h.RowLab = new T[o.N];
        h.ColLab = new T[o.M];
        if (!o.RowLabels.IsEmpty)
        {
            var ids = new Dictionary<long, int>();
            int Id(long l) { if (!ids.TryGetValue(l, out var id)) ids[l] = id = ids.Count; return id; }
            var cols = o.ColumnLabels.IsEmpty ? o.RowLabels : o.ColumnLabels;
            for (var i = 0; i < o.N; i++) h.RowLab[i] = PairEngine.FromDouble<T>(Id(o.RowLabels[i]));
            for (var j = 0; j < o.M; j++) h.ColLab[j] = PairEngine.FromDouble<T>(Id(cols[j]));
        }
        h.RowAux = Aux(o.Metric, h.X, o.N, o.D);
        h.ColAux = Aux(o.Metric, h.Y, o.M, o.D);
        if (h.X2.Length > 0) { h.RowAux2 = Aux(o.Metric2, h.X2, o.N, o.D2); h.ColAux2 = Aux(o.Metric2, h.Y2, o.M, o.D2); }
        return h;
    }

    private static T[] Aux(PairMetric metric, T[] rows, int n, int d)
    {
        var aux = new T[n];
        for (var i = 0; i < n; i++)
        {
            var sq = 0.0;
            for (var k = 0; k < d; k++) { var v = PairEngine.ToDouble(rows[i * d + k]); sq += v * v; }
            aux[i] = PairEngine.FromDouble<T>(metric == PairMetric.Cosine ? PairEngine.InverseNorm(sq) : sq);
        }
        return aux;
    }
}

/// <summary>Host arrays receiving one backward pass's gradients.</summary>
internal sealed class GradTargets<T>(T[]? dx, T[]? dy, int r0, int r1, int c0, int c1) where T : unmanaged
{
    public readonly T[]? DX = dx, DY = dy;
    public readonly T[] DR0 = new T[Math.Max(r0, 1)], DR1 = new T[Math.Max(r1, 1)], DC0 = new T[Math.Max(c0, 1)], DC1 = new T[Math.Max(c1, 1)];
}
