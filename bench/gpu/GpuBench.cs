using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using ILGPU.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Runtime.Kernels.Formulas;
using LossDsl.Runtime.Kernels.Gpu;

namespace LossDsl.Bench.Gpu;

/// <summary>The ILGPU kernels on the first CUDA device. First a check: NT-Xent's two regions (forward + backward)
/// and a max region on CUDA against the CPU engine, float32 and float64, every metric. Then one table: NT-Xent
/// forward + backward, float32, D = 128, at 16,384 and 65,536 rows (each after an untimed run), per pass, against
/// PyTorch eager on the same GPU when python3 with torch is present. Run by bench/gpu/run.sh.
/// Usage: <c>LossDsl.GpuBench [rows…]</c> (default 16384 65536).</summary>
internal static class GpuBench
{
    private const double Tau = 0.1;

    public static int Main(string[] args)
    {
        var cpu = args.Contains("--cpu");
        args = args.Where(a => a != "--cpu").ToArray();
        Accelerator accelerator;
        try { accelerator = cpu ? IlgpuPairEngine.CpuAccelerator : IlgpuPairEngine.CudaAccelerator(0); }
        catch (Exception e) { Console.Error.WriteLine($"No CUDA device for ILGPU: {e.GetType().Name}: {e.Message}"); return 2; }
        Console.WriteLine($"# ILGPU {typeof(Accelerator).Assembly.GetName().Version} on {accelerator.Name} " +
                          $"({accelerator.MemorySize / (1L << 30)} GiB, {accelerator.NumMultiprocessors} SMs, warp {accelerator.WarpSize})");
        var ok = Check(accelerator, cpu ? 200 : 1000);
        var sizes = args.Length > 0 ? args.Select(int.Parse).ToArray() : new[] { 16384, 65536 };
        Table(accelerator, sizes);
        return ok ? 0 : 1;
    }

    // ---- the check ---------------------------------------------------------------------------------------------

    private static bool Check(Accelerator accelerator, int n)
    {
        Console.WriteLine();
        Console.WriteLine($"# ILGPU on {accelerator.AcceleratorType} vs the CPU engine (NT-Xent's two regions forward + backward; max region forward); largest relative differences");
        Console.WriteLine("| dtype | metric | rows | loss | dx | max value | max arg equal | verdict |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---|---|");
        var ok = true;
        foreach (var metric in new[] { PairMetric.Cosine, PairMetric.Dot, PairMetric.Euclidean, PairMetric.SqEuclidean })
        {
            ok &= CheckOne<float>(accelerator, metric, n, 1e-4);
            ok &= CheckOne<double>(accelerator, metric, n, 1e-9);
        }
        ok &= CheckOne<float>(accelerator, PairMetric.Cosine, 4 * n, 1e-4);
        Console.WriteLine(ok ? "check: all equal within tolerance" : "check: DIFFERENCES ABOVE TOLERANCE");
        return ok;
    }

    private static bool CheckOne<T>(Accelerator accelerator, PairMetric metric, int n, double tolerance) where T : unmanaged
    {
        const int d = 128;
        var x = Inputs<T>(n, d, seed: n + (int)metric, scale: metric is PairMetric.Dot ? 0.1 : 1.0);
        var labels = TwoViewLabels(n);
        var cpu = NtXent(new CpuEngine(), x, labels, n, d, metric, null);
        var gpu = NtXent(new IlgpuEngine(accelerator), x, labels, n, d, metric, null);
        var loss = Relative(cpu.Loss, gpu.Loss);
        var dx = MaxRelative(cpu.Dx, gpu.Dx);

        var ops = PairOperands<T>.SelfRelation(x, n, d, metric);
        ops.RowLabels = labels;
        var (cpuMax, cpuArg, gpuMax, gpuArg) = (new double[n], new int[n], new double[n], new int[n]);
        PairEngine.Forward<T, NtXentNegatives, DifferentLabel, MaxReduce>(ops, new NtXentNegatives(Tau), default, new PairRows { Value = cpuMax, Arg = cpuArg });
        IlgpuPairEngine.Forward<T, NtXentNegatives, DifferentLabel, MaxReduce>(accelerator, ops, new NtXentNegatives(Tau), default, new PairRows { Value = gpuMax, Arg = gpuArg });
        var max = MaxRelative(cpuMax, gpuMax);
        // Ties may pick another column with the same value; only an unequal value is a difference.
        var argsEqual = cpuArg.SequenceEqual(gpuArg);
        var pass = loss <= tolerance && dx <= tolerance && max <= tolerance;
        Console.WriteLine($"| {typeof(T).Name} | {metric} | {n} | {loss:E1} | {dx:E1} | {max:E1} | {(argsEqual ? "yes" : "no")} | {(pass ? "ok" : "FAIL")} (tolerance {tolerance:E0}) |");
        return pass;
    }

    // ---- the table ---------------------------------------------------------------------------------------------

    private static void Table(Accelerator accelerator, int[] sizes)
    {
        const int d = 128;
        Console.WriteLine();
        Console.WriteLine($"# NT-Xent forward + backward (two regions), float32, D = {d}, τ = {Tau}; operands copied host → device each call (the path of a CUDA tensor)");
        Console.WriteLine("| rows | pairs | ILGPU total (s) | fwd negatives | fwd positives | bwd positives | bwd negatives | GFLOP/s (matmul-equivalent: 4 products) | PyTorch eager (s, peak GiB) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        double? previous = null;
        var previousN = 0;
        foreach (var n in sizes)
        {
            var estimate = previous * Math.Pow((double)n / previousN, 2);
            if (estimate > 240)
            {
                Console.WriteLine($"| {n} | {(long)n * n} | skipped: estimated {estimate:F0} s from {previousN} rows | | | | | | {PyTorch(n, d)} |");
                continue;
            }
            var x = Inputs<float>(n, d, seed: n, scale: 1.0);
            var labels = TwoViewLabels(n);
            var engine = new IlgpuEngine(accelerator);
            NtXent(engine, x, labels, Math.Min(n, 1024), d, PairMetric.Cosine, null); // compiles the kernels
            var t = new double[4];
            var clock = Stopwatch.StartNew();
            var result = NtXent(engine, x, labels, n, d, PairMetric.Cosine, t);
            var total = clock.Elapsed.TotalSeconds;
            var gflops = 4.0 * 2 * n * (double)n * d / total / 1e9;
            Console.WriteLine($"| {n} | {(long)n * n} | {total:F3} | {t[0]:F3} | {t[1]:F3} | {t[2]:F3} | {t[3]:F3} | {gflops:F0} | {PyTorch(n, d)} |");
            Console.Out.Flush();
            if (!double.IsFinite(result.Loss)) Console.WriteLine($"loss at {n} rows is {result.Loss}");
            (previous, previousN) = (total, n);
        }
    }

    // ---- NT-Xent through either engine ---------------------------------------------------------------------------

    private record struct Result(double Loss, double[] Dx);

    /// <summary>Region 1: lse_i = log Σ_{y_j ≠ y_i} e^{s_ij/τ}; region 2: mean over positive pairs of
    /// softplus(lse_i − s_ij/τ); then both backward passes (∂L/∂lse flows from region 2 into region 1).</summary>
    private static Result NtXent<T, TEngine>(TEngine engine, T[] x, long[] labels, int n, int d, PairMetric metric, double[]? seconds)
        where T : unmanaged where TEngine : IEngine
    {
        var clock = Stopwatch.StartNew();
        void Lap(int k) { if (seconds is not null) seconds[k] = clock.Elapsed.TotalSeconds; clock.Restart(); }

        var rows = labels.AsSpan(0, n);
        var negatives = PairOperands<T>.SelfRelation(x.AsSpan(0, n * d), n, d, metric);
        negatives.RowLabels = rows;
        var lse = new double[n];
        engine.Forward<T, NtXentNegatives, DifferentLabel, LogSumExpReduce>(negatives, new NtXentNegatives(Tau), default, new PairRows { Value = lse });
        Lap(0);

        var r0 = Array.ConvertAll(lse, v => FromDouble<T>(v));
        var positives = negatives;
        positives.R0 = r0;
        var sums = new double[n];
        var counts = new long[n];
        engine.Forward<T, NtXentPositives, ExcludeSelf<SameLabel>, SumReduce>(positives, new NtXentPositives(Tau), default, new PairRows { Value = sums, Count = counts });
        Lap(1);

        var pairs = counts.Sum();
        var weight = new double[n];
        Array.Fill(weight, 1.0 / Math.Max(pairs, 1));
        var dx = new T[n * d];
        var dlse = new T[n];
        engine.Backward<T, NtXentPositives, ExcludeSelf<SameLabel>, SumReduce>(positives, new NtXentPositives(Tau), default, sums, default, weight,
            new PairGradients<T> { DX = dx, DR0 = dlse });
        Lap(2);

        var g = Array.ConvertAll(dlse, v => ToDouble(v));
        engine.Backward<T, NtXentNegatives, DifferentLabel, LogSumExpReduce>(negatives, new NtXentNegatives(Tau), default, lse, default, g,
            new PairGradients<T> { DX = dx });
        Lap(3);
        return new Result(sums.Sum() / Math.Max(pairs, 1), Array.ConvertAll(dx, v => ToDouble(v)));
    }

    private interface IEngine
    {
        void Forward<T, TF, TM, TR>(in PairOperands<T> o, TF f, TM m, PairRows rows)
            where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce;

        void Backward<T, TF, TM, TR>(in PairOperands<T> o, TF f, TM m, ReadOnlySpan<double> value, ReadOnlySpan<int> arg, ReadOnlySpan<double> weight, PairGradients<T> grads)
            where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce;
    }

    private readonly struct CpuEngine : IEngine
    {
        public void Forward<T, TF, TM, TR>(in PairOperands<T> o, TF f, TM m, PairRows rows)
            where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce =>
            PairEngine.Forward<T, TF, TM, TR>(o, f, m, rows);

        public void Backward<T, TF, TM, TR>(in PairOperands<T> o, TF f, TM m, ReadOnlySpan<double> value, ReadOnlySpan<int> arg, ReadOnlySpan<double> weight, PairGradients<T> grads)
            where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce =>
            PairEngine.Backward<T, TF, TM, TR>(o, f, m, value, arg, weight, grads);
    }

    private readonly struct IlgpuEngine(Accelerator accelerator) : IEngine
    {
        public void Forward<T, TF, TM, TR>(in PairOperands<T> o, TF f, TM m, PairRows rows)
            where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce =>
            IlgpuPairEngine.Forward<T, TF, TM, TR>(accelerator, o, f, m, rows);

        public void Backward<T, TF, TM, TR>(in PairOperands<T> o, TF f, TM m, ReadOnlySpan<double> value, ReadOnlySpan<int> arg, ReadOnlySpan<double> weight, PairGradients<T> grads)
            where T : unmanaged where TF : struct, IPairFormula where TM : struct, IPairMask where TR : struct, IPairReduce =>
            IlgpuPairEngine.Backward<T, TF, TM, TR>(accelerator, o, f, m, value, arg, weight, grads);
    }

    // ---- inputs and comparisons -----------------------------------------------------------------------------------

    /// <summary>Two views of n/2 samples: row i and row i + n/2 share a label (NT-Xent's batch).</summary>
    private static long[] TwoViewLabels(int n) => Enumerable.Range(0, n).Select(i => (long)(i % (n / 2))).ToArray();

    private static T[] Inputs<T>(int n, int d, int seed, double scale) where T : unmanaged
    {
        var rng = new Random(seed);
        var x = new T[n * d];
        for (var k = 0; k < x.Length; k++) x[k] = FromDouble<T>(scale * (rng.NextDouble() - 0.5));
        return x;
    }

    private static T FromDouble<T>(double v) where T : unmanaged =>
        typeof(T) == typeof(float) ? (T)(object)(float)v : (T)(object)v;

    private static double ToDouble<T>(T v) where T : unmanaged => v is float f ? f : (double)(object)v;

    private static double Relative(double a, double b) => Math.Abs(a - b) / Math.Max(Math.Abs(a), 1e-30);

    /// <summary>max_k |a_k − b_k| / max_k |a_k| (NaN if either has a NaN).</summary>
    private static double MaxRelative(double[] a, double[] b)
    {
        double diff = 0, scale = 0;
        for (var k = 0; k < a.Length; k++)
        {
            if (double.IsNaN(a[k]) || double.IsNaN(b[k])) return double.NaN;
            diff = Math.Max(diff, Math.Abs(a[k] - b[k]));
            if (double.IsFinite(a[k])) scale = Math.Max(scale, Math.Abs(a[k]));
        }
        return diff / Math.Max(scale, 1e-30);
    }

    /// <summary>NT-Xent eager on the GPU in PyTorch (python3), "seconds, peak GiB", or why not.</summary>
    private static string PyTorch(int n, int d)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "gpu", "ntxent_eager.py");
        if (!File.Exists(script)) return "script missing";
        try
        {
            var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(n.ToString());
            psi.ArgumentList.Add(d.ToString());
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd().Trim();
            var error = p.StandardError.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : $"python3/torch failed (exit {p.ExitCode}: {error.Split('\n').LastOrDefault()})";
        }
        catch (Exception) { return "python3 not found"; }
    }
}
