using System;
using ILGPU;
using ILGPU.Runtime;

namespace LossDsl.Runtime.Kernels.Gpu;

/// <summary>Uploads one call's operands, launches the cached kernels and reads the results back.</summary>
internal static class GpuRun<T, M, TF, TM>
    where T : unmanaged where M : struct, IPairMath<T>, IGpuNumber<T> where TF : struct, IPairFormula where TM : struct, IPairMask
{
    private static readonly string Key = $"{typeof(T).Name}/{typeof(TF).FullName}/{typeof(TM).FullName}";
    private static readonly int ElementBytes = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    private sealed class Buffers : IDisposable
    {
        private readonly System.Collections.Generic.List<IDisposable> _owned = new();
        public GpuPairArgs<T> Args;

        public Buffers(Accelerator acc, HostOperands<T> h)
        {
            Args = new GpuPairArgs<T>
            {
                X = Up(acc, h.X), Y = Up(acc, h.Y), X2 = Up(acc, h.X2), Y2 = Up(acc, h.Y2),
                RowLab = Up(acc, h.RowLab), ColLab = Up(acc, h.ColLab), R0 = Up(acc, h.R0), R1 = Up(acc, h.R1),
                C0 = Up(acc, h.C0), C1 = Up(acc, h.C1), W = Up(acc, h.W),
                RowAux = Up(acc, h.RowAux), ColAux = Up(acc, h.ColAux), RowAux2 = Up(acc, h.RowAux2), ColAux2 = Up(acc, h.ColAux2),
                N = h.N, M = h.M, D = h.D, D2 = h.D2, Self = h.Self, Metric = h.Metric, Metric2 = h.Metric2, Reduce = h.Reduce,
            };
        }

        /// <summary>A device copy of <paramref name="values"/> (a one-element placeholder when empty).</summary>
        public ArrayView<TE> Up<TE>(Accelerator acc, TE[] values) where TE : unmanaged
        {
            var buffer = acc.Allocate1D<TE>(Math.Max(1, values.Length));
            _owned.Add(buffer);
            if (values.Length > 0) buffer.View.SubView(0, values.Length).CopyFromCPU(values);
            else buffer.MemSetToZero();
            return buffer.View;
        }

        public void Dispose()
        {
            foreach (var b in _owned) b.Dispose();
        }
    }

    /// <summary>One thread per item, groups sized so that each thread's staged vector (and accumulators) fit the
    /// group's dynamic shared memory (<see cref="PairKernels.ItemsPerGroup"/>).</summary>
    private static KernelConfig Items(Accelerator acc, int items, int d, bool accumulators)
    {
        var group = Math.Min(PairKernels.ItemsPerGroup(d, ElementBytes, accumulators), acc.MaxNumThreadsPerGroup);
        var groups = (items + group - 1) / group;
        return new KernelConfig(groups, group, SharedMemoryConfig.RequestDynamic<double>(PairKernels.SharedDoubles(d, group, ElementBytes, accumulators)));
    }

    public static void Forward(Accelerator acc, HostOperands<T> h, TF f, TM mask, PairRows rows)
    {
        var kernel = IlgpuPairEngine.Kernel(acc, "forward/" + Key, a =>
            a.LoadStreamKernel<GpuPairArgs<T>, TF, TM, ArrayView<double>, ArrayView<long>, ArrayView<long>, ArrayView<int>>(
                PairKernels.Forward<T, M, TF, TM>));
        using var b = new Buffers(acc, h);
        var value = b.Up(acc, new double[h.N]);
        var count = b.Up(acc, new long[h.N]);
        var nonzero = b.Up(acc, new long[h.N]);
        var arg = b.Up(acc, new int[h.N]);
        kernel(Items(acc, h.N, h.D, accumulators: false), b.Args, f, mask, value, count, nonzero, arg);
        acc.Synchronize();
        value.SubView(0, h.N).CopyToCPU(rows.Value[..h.N]);
        if (!rows.Count.IsEmpty) count.SubView(0, h.N).CopyToCPU(rows.Count[..h.N]);
        if (!rows.NonZero.IsEmpty) nonzero.SubView(0, h.N).CopyToCPU(rows.NonZero[..h.N]);
        if (!rows.Arg.IsEmpty) arg.SubView(0, h.N).CopyToCPU(rows.Arg[..h.N]);
    }

    /// <param name="symmetric">A symmetric log-sum-exp (see <see cref="GpuPairArgs{T}.Symmetric"/>): the rows kernel only.</param>
    public static void Backward(Accelerator acc, HostOperands<T> h, TF f, TM mask, double[] value, double[] weight, GradTargets<T> g, bool symmetric)
    {
        var rowsKernel = IlgpuPairEngine.Kernel(acc, "rows/" + Key, a =>
            a.LoadStreamKernel<GpuPairArgs<T>, TF, TM, ArrayView<double>, ArrayView<double>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int>(
                PairKernels.BackwardRows<T, M, TF, TM>));
        var columnsKernel = IlgpuPairEngine.Kernel(acc, "columns/" + Key, a =>
            a.LoadStreamKernel<GpuPairArgs<T>, TF, TM, ArrayView<double>, ArrayView<double>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int>(
                PairKernels.BackwardColumns<T, M, TF, TM>));
        using var b = new Buffers(acc, h);
        b.Args.Symmetric = symmetric ? 1 : 0;
        var v = b.Up(acc, value);
        var w = b.Up(acc, weight);
        var dx = b.Up(acc, new T[(long)h.N * h.D]);
        var dr0 = b.Up(acc, g.DR0);
        var dr1 = b.Up(acc, g.DR1);
        rowsKernel(Items(acc, h.N, h.D, accumulators: true), b.Args, f, mask, v, w, dx, dr0, dr1, g.DX is null ? 0 : 1);
        var columnSide = !symmetric && (h.Self != 0 ? g.DX is not null : g.DY is not null);
        var needColumnValues = TF.ColumnValueCount > 0;
        T[]? dyHost = null;
        ArrayView<T> dc0 = default, dc1 = default;
        if (columnSide || needColumnValues)
        {
            var dy = b.Up(acc, new T[(long)h.M * h.D]);
            dc0 = b.Up(acc, g.DC0);
            dc1 = b.Up(acc, g.DC1);
            columnsKernel(Items(acc, h.M, h.D, accumulators: true), b.Args, f, mask, v, w, dy, dc0, dc1, columnSide ? 1 : 0);
            acc.Synchronize();
            if (columnSide) { dyHost = new T[(long)h.M * h.D]; dy.SubView(0, dyHost.Length).CopyToCPU(dyHost); }
            dc0.SubView(0, g.DC0.Length).CopyToCPU(g.DC0);
            dc1.SubView(0, g.DC1.Length).CopyToCPU(g.DC1);
        }
        acc.Synchronize();
        if (g.DX is not null) dx.SubView(0, g.DX.Length).CopyToCPU(g.DX);
        dr0.SubView(0, g.DR0.Length).CopyToCPU(g.DR0);
        dr1.SubView(0, g.DR1.Length).CopyToCPU(g.DR1);
        if (dyHost is not null)
        {
            var target = h.Self != 0 ? g.DX! : g.DY!;
            for (long k = 0; k < dyHost.Length; k++) target[k] = PairEngine.FromDouble<T>(PairEngine.ToDouble(target[k]) + PairEngine.ToDouble(dyHost[k]));
        }
    }
}
