using System;
using System.Diagnostics;
using System.IO;
using ILGPU.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Runtime.Kernels.Formulas;
using LossDsl.Runtime.Kernels.Gpu;

namespace LossDsl.Bench;

/// <summary><c>gpu</c>: the ILGPU kernels on the first CUDA device (NT-Xent's two regions, forward + backward,
/// float32, D = 128) at N = 16,384 and 65,536 rows, and PyTorch eager on the same GPU when python3 with torch is
/// present. Prints one table. Run by bench/gpu/run.sh.</summary>
internal static class Gpu
{
    public static int Run(string[] args)
    {
        Accelerator accelerator;
        try { accelerator = IlgpuPairEngine.CudaAccelerator(0); }
        catch (Exception e) { Console.Error.WriteLine($"No CUDA device for ILGPU: {e.Message}"); return 2; }
        const int d = 128;
        Console.WriteLine($"# ILGPU {accelerator.Name}, NT-Xent forward + backward (two regions), float32, D = {d}");
        Console.WriteLine("| rows | ILGPU (s) | PyTorch eager (s) |");
        Console.WriteLine("|---:|---:|---:|");
        foreach (var n in new[] { 16384, 65536 })
        {
            var rng = new Random(n);
            var x = new float[(long)n * d];
            for (long k = 0; k < x.Length; k++) x[k] = (float)(rng.NextDouble() - 0.5);
            var labels = new long[n];
            for (var i = 0; i < n; i++) labels[i] = i % (n / 2);
            var clock = Stopwatch.StartNew();
            var ops = PairOperands<float>.SelfRelation(x, n, d, PairMetric.Cosine);
            ops.RowLabels = labels;
            var lse = new double[n];
            IlgpuPairEngine.Forward<float, NtXentNegatives, DifferentLabel, LogSumExpReduce>(accelerator, ops, new NtXentNegatives(0.1), default, new PairRows { Value = lse });
            var r0 = Array.ConvertAll(lse, v => (float)v);
            ops.R0 = r0;
            var sums = new double[n];
            var counts = new long[n];
            IlgpuPairEngine.Forward<float, NtXentPositives, ExcludeSelf<SameLabel>, SumReduce>(accelerator, ops, new NtXentPositives(0.1), default, new PairRows { Value = sums, Count = counts });
            var pairs = 0L;
            foreach (var c in counts) pairs += c;
            var w = new double[n];
            Array.Fill(w, 1.0 / Math.Max(pairs, 1));
            var dx = new float[(long)n * d];
            var dlse = new float[n];
            IlgpuPairEngine.Backward<float, NtXentPositives, ExcludeSelf<SameLabel>, SumReduce>(accelerator, ops, new NtXentPositives(0.1), default, sums, default, w,
                new PairGradients<float> { DX = dx, DR0 = dlse });
            var g = Array.ConvertAll(dlse, v => (double)v);
            var plain = PairOperands<float>.SelfRelation(x, n, d, PairMetric.Cosine);
            plain.RowLabels = labels;
            IlgpuPairEngine.Backward<float, NtXentNegatives, DifferentLabel, LogSumExpReduce>(accelerator, plain, new NtXentNegatives(0.1), default, lse, default, g,
                new PairGradients<float> { DX = dx });
            var ilgpu = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"| {n} | {ilgpu:F3} | {PyTorch(n, d)} |");
        }
        return 0;
    }

    /// <summary>NT-Xent eager on the GPU in PyTorch (python3 -c), or why not.</summary>
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
            p.WaitForExit();
            return p.ExitCode == 0 ? output : "python3/torch unavailable or failed";
        }
        catch (Exception) { return "python3 not found"; }
    }
}
