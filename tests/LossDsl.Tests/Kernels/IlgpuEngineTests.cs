using System;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using LossDsl.Runtime.Kernels;
using LossDsl.Runtime.Kernels.Formulas;
using LossDsl.Runtime.Kernels.Gpu;

namespace LossDsl.Tests.Kernels;

/// <summary>ILGPU's CPU accelerator runs the same formula and mask structs as the SIMD engine and gets the same
/// values and gradients; the kernels also compile to PTX (no GPU needed to compile), which checks that the
/// generic, static-abstract formula contract is something ILGPU's GPU back end accepts.</summary>
[Collection(EngineSettingsCollection.Name)]
public class IlgpuEngineTests
{
    private static void Compare<T, TF, TM, TR>(TF formula, TM mask, PairMetric metric, bool self, double tol, bool someZeroWeights = false)
        where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce =>
        Compare<T, TF, TM, TR>(IlgpuPairEngine.CpuAccelerator, formula, mask, metric, self, tol, someZeroWeights);

    private static void Compare<T, TF, TM, TR>(Accelerator accelerator, TF formula, TM mask, PairMetric metric, bool self, double tol, bool someZeroWeights)
        where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce
    {
        var rng = new Random(7);
        int n = 41, m = self ? 41 : 33, d = 9;
        T R() => Of<T>(rng.NextDouble() * 2 - 1);
        var x = new T[n * d]; var y = new T[m * d]; var r0 = new T[n];
        for (var k = 0; k < x.Length; k++) x[k] = R();
        for (var k = 0; k < y.Length; k++) y[k] = R();
        for (var k = 0; k < n; k++) r0[k] = R();
        var labels = new long[n]; var colLabels = new long[m];
        for (var k = 0; k < n; k++) labels[k] = rng.Next(4);
        for (var k = 0; k < m; k++) colLabels[k] = rng.Next(4);
        var ops = self ? PairOperands<T>.SelfRelation(x, n, d, metric) : PairOperands<T>.Cross(x, n, y, m, d, metric);
        ops.RowLabels = labels;
        if (!self) ops.ColumnLabels = colLabels;
        if (TF.RowValueCount > 0) ops.R0 = r0;
        var weight = new double[n];
        for (var k = 0; k < n; k++) weight[k] = someZeroWeights && k % 3 == 0 ? 0.0 : rng.NextDouble();

        (double[] Value, T[] Dx, T[] Dy, T[] Dr) Run(in PairOperands<T> ops, bool gpu)
        {
            var value = new double[n]; var count = new long[n]; var nz = new long[n]; var arg = new int[n];
            var rows = new PairRows { Value = value, Count = count, NonZero = nz, Arg = arg };
            var dx = new T[n * d]; var dy = self ? Array.Empty<T>() : new T[m * d]; var dr = new T[TF.RowValueCount > 0 ? n : 0];
            var grads = new PairGradients<T> { DX = dx, DY = dy, DR0 = dr };
            if (gpu)
            {
                IlgpuPairEngine.Forward<T, TF, TM, TR>(accelerator, ops, formula, mask, rows);
                IlgpuPairEngine.Backward<T, TF, TM, TR>(accelerator, ops, formula, mask, value, arg, weight, grads);
            }
            else
            {
                PairEngine.Forward<T, TF, TM, TR>(ops, formula, mask, rows);
                PairEngine.Backward<T, TF, TM, TR>(ops, formula, mask, value, arg, weight, grads);
            }
            return (value, dx, dy, dr);
        }

        var cpu = Run(ops, gpu: false);
        var ilgpu = Run(ops, gpu: true);
        Close(cpu.Value, ilgpu.Value, tol, "values");
        Close(Array.ConvertAll(cpu.Dx, v => Convert.ToDouble(v)), Array.ConvertAll(ilgpu.Dx, v => Convert.ToDouble(v)), tol, "dx");
        Close(Array.ConvertAll(cpu.Dy, v => Convert.ToDouble(v)), Array.ConvertAll(ilgpu.Dy, v => Convert.ToDouble(v)), tol, "dy");
        Close(Array.ConvertAll(cpu.Dr, v => Convert.ToDouble(v)), Array.ConvertAll(ilgpu.Dr, v => Convert.ToDouble(v)), tol, "dr0");
    }

    private static T Of<T>(double v) => typeof(T) == typeof(float) ? (T)(object)(float)v : (T)(object)v;

    private static void Close(double[] a, double[] b, double tol, string what)
    {
        Assert.Equal(a.Length, b.Length);
        var scale = 1e-3;
        foreach (var v in a) if (double.IsFinite(v)) scale = Math.Max(scale, Math.Abs(v));
        for (var k = 0; k < a.Length; k++)
        {
            if (double.IsInfinity(a[k])) { Assert.Equal(a[k], b[k]); continue; }
            Assert.True(Math.Abs(a[k] - b[k]) <= tol * scale, $"{what}[{k}]: engine {a[k]:R} vs ILGPU {b[k]:R}");
        }
    }

    [Fact]
    public void NtXent_regions_match_in_float64() 
    {
        Compare<double, NtXentNegatives, DifferentLabel, LogSumExpReduce>(new(0.1), default, PairMetric.Cosine, self: true, 1e-9);
        Compare<double, NtXentPositives, ExcludeSelf<SameLabel>, SumReduce>(new(0.1), default, PairMetric.Dot, self: true, 1e-9);
    }

    [Fact]
    public void Distances_cross_relations_and_max_min_match_in_float32()
    {
        Compare<float, ContrastiveNegative, DifferentLabel, SumReduce>(new(1.0), default, PairMetric.Euclidean, self: false, 1e-4);
        Compare<float, ScaledRelation, ExcludeSelf<SameLabel>, MaxReduce>(new(1.0), default, PairMetric.Euclidean, self: true, 1e-4);
        Compare<float, MultiSimilarityTerm, AllPairs, LogSumExpReduce>(new(2.0, 0.5), default, PairMetric.SqEuclidean, self: false, 1e-4);
    }

    [Fact]
    public void The_symmetrised_log_sum_exp_backward_matches_the_plain_one()
    {
        // The SIMD engine symmetrises these (one gradient product, PairEngine.SymmetricLogSumExp), and so do the ILGPU
        // kernels by default (one rows kernel, both sides' coefficients). Both are compared with the ILGPU kernels'
        // plain path (rows and columns kernels), then with each other. Uneven weights, a third of them zero (rows that
        // still receive their columns' side).
        Assert.True(PairEngine.SymmetricLogSumExp<double, NtXentNegatives, DifferentLabel, LogSumExpReduce>(
            PairOperands<double>.SelfRelation(new double[4], 2, 2, PairMetric.Dot), default));
        foreach (var symmetrise in new[] { false, true })
        {
            IlgpuPairEngine.SymmetriseLogSumExp = symmetrise;
            try
            {
                Compare<double, NtXentNegatives, DifferentLabel, LogSumExpReduce>(new(0.1), default, PairMetric.Cosine, self: true, 1e-9, someZeroWeights: true);
                Compare<double, NtXentNegatives, ExcludeSelf<AllPairs>, LogSumExpReduce>(new(0.5), default, PairMetric.Dot, self: true, 1e-9, someZeroWeights: true);
                Compare<double, MultiSimilarityTerm, ExcludeSelf<SameLabel>, LogSumExpReduce>(new(2.0, 0.5), default, PairMetric.Euclidean, self: true, 1e-9, someZeroWeights: true);
                Compare<float, MultiSimilarityTerm, AllPairs, LogSumExpReduce>(new(2.0, 0.5), default, PairMetric.SqEuclidean, self: true, 1e-4, someZeroWeights: true);
                // An offset diagonal is not symmetric: the plain path.
                Assert.False(PairEngine.SymmetricLogSumExp<double, NtXentNegatives, ExcludeSelf<AllPairs>, LogSumExpReduce>(
                    PairOperands<double>.SelfRelation(new double[4], 2, 2, PairMetric.Dot), new ExcludeSelf<AllPairs>(default, offset: 1)));
                Compare<double, NtXentNegatives, ExcludeSelf<AllPairs>, LogSumExpReduce>(new(0.5), new ExcludeSelf<AllPairs>(default, offset: 1), PairMetric.Dot, self: true, 1e-9, someZeroWeights: true);
            }
            finally
            {
                IlgpuPairEngine.SymmetriseLogSumExp = true;
            }
        }
    }

    [Fact]
    public void Relations_wider_than_the_shared_memory_run_on_the_host_engine()
    {
        var d = PairKernels.MaxSharedD + 1;
        var x = new double[3 * d];
        for (var k = 0; k < x.Length; k++) x[k] = Math.Sin(k);
        var ops = PairOperands<double>.SelfRelation(x, 3, d, PairMetric.Dot);
        var (engine, ilgpu) = (new double[3], new double[3]);
        PairEngine.Forward<double, ScaledRelation, AllPairs, SumReduce>(ops, new(1.0), default, new PairRows { Value = engine });
        IlgpuPairEngine.Forward<double, ScaledRelation, AllPairs, SumReduce>(IlgpuPairEngine.CpuAccelerator, ops, new(1.0), default, new PairRows { Value = ilgpu });
        Assert.Equal(engine, ilgpu);
    }

    [Fact]
    public void The_kernels_compile_to_PTX()
    {
        using var context = Context.Create(b => b.Default().EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_80), CudaArchitecture.SM_80, CudaInstructionSet.ISA_71, null);
        foreach (var method in new[]
        {
            typeof(PairKernels).GetMethod(nameof(PairKernels.Forward))!.MakeGenericMethod(typeof(float), typeof(GpuMath32), typeof(NtXentPositives), typeof(ExcludeSelf<SameLabel>)),
            typeof(PairKernels).GetMethod(nameof(PairKernels.BackwardRows))!.MakeGenericMethod(typeof(float), typeof(GpuMath32), typeof(NtXentNegatives), typeof(DifferentLabel)),
            typeof(PairKernels).GetMethod(nameof(PairKernels.BackwardColumns))!.MakeGenericMethod(typeof(double), typeof(GpuMath64), typeof(RkdDistancePairs), typeof(AllPairs)),
        })
        {
            var kernel = backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(method), new KernelSpecialization());
            var ptx = ((PTXCompiledKernel)kernel).PTXAssembly;
            Assert.Contains(".entry", ptx);
        }
    }
}
