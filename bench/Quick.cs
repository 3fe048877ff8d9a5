using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using LossDsl.Runtime.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Bench;

/// <summary>The quick table: every loss, engine vs the eager ports, forward + backward, float32, D = 128; for
/// NT-Xent, SupCon and batch-hard also the generated zoo losses, fused and unfused (<see cref="Generated"/>), with
/// their value checked against the naive eager port's. The eager ports and the generated unfused loss run here
/// (default environment) and in a child process started with <c>THP_MEM_ALLOC_ENABLE=1</c> (libtorch reads it only
/// at start-up).</summary>
internal static class Quick
{
    public const int D = 128;

    /// <summary>One benchmark case: a loss at a size, its variants and its matmul-equivalent work.</summary>
    internal sealed record Case(string Loss, int Rows, double Flops, bool EagerFits, Func<Tensor, Tensor, Tensor> Fused,
        Func<Tensor, Tensor, Tensor> Naive, Func<Tensor, Tensor, Tensor>? Careful, Func<int, (Tensor, Tensor)> Inputs);

    /// <summary>Two views of rows/2 samples: z [rows, D] and the sample ids (NT-Xent, SupCon).</summary>
    internal static (Tensor, Tensor) Views(int rows)
    {
        var z = randn(rows, D);
        var ids = arange(rows / 2, ScalarType.Int64);
        return (z, cat(new[] { ids, ids }));
    }

    /// <summary>z [rows, D] and random labels of rows/8 classes (batch-hard, multi-similarity).</summary>
    internal static (Tensor, Tensor) Classes(int rows)
    {
        var z = randn(rows, D);
        return (z, randint(Math.Max(2, rows / 8), new long[] { rows }, dtype: ScalarType.Int64));
    }

    /// <summary>Student and teacher embeddings [rows, D] (RKD).</summary>
    internal static (Tensor, Tensor) Teacher(int rows) => (randn(rows, D), randn(rows, D));

    public static IEnumerable<Case> Cases(bool large = false)
    {
        double Pair(int r, int gemms) => gemms * 2.0 * r * r * D;
        foreach (var r in new[] { 512, 2048, 16384, 32768 })
            yield return new Case("NT-Xent", r, Pair(r, 3), r <= 16384, Losses.NtXentFused, Losses.NtXentNaive, Losses.NtXentCareful, Views);
        foreach (var r in new[] { 512, 2048, 16384, 32768 })
            yield return new Case("SupCon", r, Pair(r, 3), r <= 16384, Losses.SupConFused, Losses.SupConNaive, Losses.SupConCareful, Views);
        foreach (var r in new[] { 512, 2048, 8192 })
            yield return new Case("BatchHard", r, Pair(r, 3), true, Losses.BatchHardFused, Losses.BatchHardNaive, Losses.BatchHardCareful, Classes);
        foreach (var r in new[] { 512, 2048, 8192 })
            yield return new Case("RKD-dist", r, Pair(r, 4), true, Losses.RkdDistanceFused, Losses.RkdDistanceEager, null, Teacher);
        foreach (var r in new[] { 256, 512, 1024 })
            yield return new Case("RKD-angle", r, 8.0 * r * r * r * D, r <= 1024, Losses.RkdAngleFused, Losses.RkdAngleEager, null, Teacher);
        if (large) yield return new Case("RKD-angle", 2048, 8.0 * 2048 * 2048 * 2048 * D, false, Losses.RkdAngleFused, Losses.RkdAngleEager, null, Teacher);
    }

    public static int Run(string[] args)
    {
        var child = args.Contains("--eager-only");
        var filter = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
        var cases = Cases(args.Contains("--large")).Where(c => filter is null || c.Loss.Equals(filter, StringComparison.OrdinalIgnoreCase)).ToList();
        set_num_threads(Environment.ProcessorCount);
        Warm(cases);
        if (child)
        {
            foreach (var c in cases.Where(c => c.EagerFits))
                foreach (var (name, run) in Eager(c))
                {
                    var m = Measure(c, run);
                    Console.WriteLine(FormattableString.Invariant($"RESULT\t{c.Loss}\t{c.Rows}\t{name}\t{m.Seconds:R}\t{m.PeakMiB:R}\t{m.Loss:R}"));
                }
            return 0;
        }

        var engineOnly = args.Contains("--engine-only");
        var mmRate = MatmulRate();
        var thp = engineOnly ? new() : RunChild(filter);
        Console.WriteLine($"# LossDsl quick benchmark: forward + backward, float32, D = {D}, {Environment.ProcessorCount} threads, {Cpu()}");
        Console.WriteLine($"# torch.mm rate in this run: {mmRate:F0} GFLOP/s ([4096, {D}] x [{D}, 4096]); engine SIMD: {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "Vector512" : "Vector256")}");
        Console.WriteLine("| loss | rows | variant | time (s) | peak RSS +MiB | GFLOP/s | of mm | loss value | speed-up of engine |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var c in cases)
        {
            var rows = new List<(string Name, Measurement M)>();
            rows.Add(("engine", Measure(c, c.Fused)));
            if (Generated.For(c.Loss, fused: true) is { } generatedFused) rows.Add(("generated fused", Measure(c, generatedFused)));
            if (c.EagerFits && !engineOnly)
                foreach (var (name, run) in Eager(c)) rows.Add((name, Measure(c, run)));
            foreach (var r in thp.Where(t => t.Loss == c.Loss && t.Rows == c.Rows)) rows.Add((r.Name + " +THP", r.M));
            var engine = rows[0].M.Seconds;
            var eager = rows.Where(r => r.Name.StartsWith("eager", StringComparison.Ordinal)).ToList();
            var bestEager = eager.Count > 0 ? eager.Min(r => r.M.Seconds) : double.NaN;
            // The value every variant must reproduce: the naive eager port's, or the engine's where eager is skipped.
            var reference = eager.Count > 0 ? eager[0].M.Loss : rows[0].M.Loss;
            foreach (var (name, m) in rows)
            {
                var gflops = c.Flops / m.Seconds / 1e9;
                var speedup = name == "engine"
                    ? (eager.Count > 0 ? $"best eager / engine = {bestEager / engine:F2}x" : "eager skipped (would not fit 24 GiB)")
                    : $"{m.Seconds / engine:F2}x";
                if (name.StartsWith("generated", StringComparison.Ordinal))
                {
                    if (eager.Count > 0) speedup += $"; {m.Seconds / bestEager:F2}x best eager";
                    speedup += ValueCheck(m.Loss, reference);
                }
                Console.WriteLine(FormattableString.Invariant($"| {c.Loss} | {c.Rows} | {name} | {m.Seconds:F3} | {m.PeakMiB:F0} | {gflops:F0} | {gflops / mmRate:P0} | {m.Loss:G6} | {speedup} |"));
            }
        }
        return 0;
    }

    /// <summary>Whether a generated loss's value equals the reference to float32 tolerance (relative 1e-4: the
    /// variants sum up to N² terms in different orders).</summary>
    private static string ValueCheck(double value, double reference)
    {
        var rel = Math.Abs(value - reference) / Math.Max(Math.Abs(reference), 1e-6);
        return rel <= 1e-4 ? FormattableString.Invariant($"; value ok (rel {rel:0.0e0})") : FormattableString.Invariant($"; VALUE MISMATCH (rel {rel:0.0e0})");
    }

    /// <summary>The variants that build N×N tensors (run here and in the THP child): the eager ports, the generated
    /// unfused loss (not RKD's) and, up to 2,048 rows, the generated loss with its default policy (unfused below the threshold).</summary>
    private static IEnumerable<(string, Func<Tensor, Tensor, Tensor>)> Eager(Case c)
    {
        yield return ("eager naive", c.Naive);
        if (c.Careful is not null) yield return ("eager careful", c.Careful);
        // RKD's unfused nodes are the reference's dense forms, close to the port (RKD angle's N³ tensors: 15 GiB and
        // ~20 s at 1,024 rows): measured once, as the port, to keep the table well under five minutes.
        if (!c.Loss.StartsWith("RKD", StringComparison.Ordinal) && Generated.For(c.Loss, fused: false) is { } unfused) yield return ("generated unfused", unfused);
        // At the small sizes the issue's target is about: what a user gets (unfused below the threshold, fused above).
        if (c.Rows <= 2048 && Generated.Default(c.Loss) is { } chosen) yield return ("generated default", chosen);
    }

    /// <summary>One run's time, peak-RSS rise, value and the pages it faulted in (MiB of 4 KiB minor faults:
    /// fresh memory the step touched, which costs time without huge pages whatever the machine's load).</summary>
    internal readonly record struct Measurement(double Seconds, double PeakMiB, double Loss, double FaultedMiB = 0);

    /// <summary>Every variant warmed up (<see cref="WarmUp"/>) before anything is timed.</summary>
    private static void Warm(List<Case> cases)
    {
        foreach (var c in cases.GroupBy(c => c.Loss).Select(g => g.First()))
        {
            WarmUp(c, c.Fused);
            if (Generated.For(c.Loss, fused: true) is { } generatedFused) WarmUp(c, generatedFused);
            foreach (var (_, run) in Eager(c)) WarmUp(c, run);
        }
    }

    /// <summary>Forward + backward at 256 rows, 40 times or for a second: the thread pool and the allocator warm up,
    /// and .NET's tiered JIT promotes the engine's and the bridge's methods (called once, the first calls run
    /// unoptimised code: fused batch-hard took 13.7 ms at 512 rows on its first calls, 6.6 ms once promoted).</summary>
    internal static void WarmUp(Case c, Func<Tensor, Tensor, Tensor> loss)
    {
        var small = c with { Rows = 256 };
        var clock = Stopwatch.StartNew();
        for (var k = 0; k < 40 && clock.Elapsed.TotalSeconds < 1; k++) Once(small, loss);
    }

    /// <summary>Forward + backward of one variant: the best time of up to five runs within about a second (one
    /// run for the large sizes), and the peak-RSS rise of the first run.</summary>
    internal static Measurement Measure(Case c, Func<Tensor, Tensor, Tensor> loss)
    {
        var best = double.MaxValue;
        double peak = 0, value = 0, spent = 0;
        for (var rep = 0; rep < 5 && (rep == 0 || spent < 1.0); rep++)
        {
            var m = Once(c, loss);
            if (rep == 0) peak = m.PeakMiB;
            best = Math.Min(best, m.Seconds);
            value = m.Loss;
            spent += m.Seconds;
        }
        return new Measurement(best, peak, value);
    }

    /// <summary>Forward + backward of one variant once: its time, peak-RSS rise and value.</summary>
    internal static Measurement Once(Case c, Func<Tensor, Tensor, Tensor> loss)
    {
        using var scope = NewDisposeScope();
        manual_seed(c.Rows);
        var (a, b) = c.Inputs(c.Rows);
        var leaf = a.detach().requires_grad_(true);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = Peak.Reset();
        var faults = Peak.MinorFaults();
        var clock = Stopwatch.StartNew();
        double value;
        using (var inner = NewDisposeScope())
        {
            var l = loss(leaf, b);
            l.backward();
            value = l.item<float>();
        }
        clock.Stop();
        var peak = (Peak.Read() - before) / (1024.0 * 1024.0);
        var faulted = (Peak.MinorFaults() - faults) * 4096.0 / (1024.0 * 1024.0);
        return new Measurement(clock.Elapsed.TotalSeconds, peak, value, faulted);
    }

    private static double MatmulRate()
    {
        using var scope = NewDisposeScope();
        var a = randn(4096, D);
        var bt = randn(D, 4096);
        a.matmul(bt).Dispose();
        var best = double.MaxValue;
        for (var k = 0; k < 5; k++)
        {
            var clock = Stopwatch.StartNew();
            a.matmul(bt).Dispose();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * 4096 * 4096 * D / best / 1e9;
    }

    private static List<(string Loss, int Rows, string Name, Measurement M)> RunChild(string? filter)
    {
        var exe = Environment.ProcessPath!;
        var dll = typeof(Quick).Assembly.Location;
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, UseShellExecute = false };
        if (!exe.EndsWith("LossDsl.Bench", StringComparison.Ordinal)) psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("quick");
        psi.ArgumentList.Add("--eager-only");
        if (filter is not null) { psi.ArgumentList.Add("--only"); psi.ArgumentList.Add(filter); }
        psi.Environment["THP_MEM_ALLOC_ENABLE"] = "1";
        using var p = Process.Start(psi)!;
        var results = new List<(string, int, string, Measurement)>();
        string? line;
        while ((line = p.StandardOutput.ReadLine()) != null)
        {
            var f = line.Split('\t');
            if (f.Length != 7 || f[0] != "RESULT") continue;
            results.Add((f[1], int.Parse(f[2], CultureInfo.InvariantCulture), f[3],
                new Measurement(double.Parse(f[4], CultureInfo.InvariantCulture), double.Parse(f[5], CultureInfo.InvariantCulture), double.Parse(f[6], CultureInfo.InvariantCulture))));
        }
        p.WaitForExit();
        return results;
    }

    private static string Cpu()
    {
        try { return File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("model name", StringComparison.Ordinal)).Split(':')[1].Trim(); }
        catch (Exception) { return "unknown CPU"; }
    }

    /// <summary>The process's peak resident set (VmHWM), reset through /proc/self/clear_refs; <see cref="Reset"/>
    /// returns the resident set (VmRSS) at the reset.</summary>
    internal static class Peak
    {
        public static long Reset()
        {
            try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (Exception) { }
            return Field("VmRSS:");
        }

        public static long Read() => Field("VmHWM:");

        /// <summary>The process's minor page faults so far (/proc/self/stat, field 10).</summary>
        public static long MinorFaults()
        {
            try
            {
                var stat = File.ReadAllText("/proc/self/stat");
                var fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
                return long.Parse(fields[7], CultureInfo.InvariantCulture);   // field 10 counts from 1 with pid and comm first
            }
            catch (Exception) { return 0; }
        }

        private static long Field(string name)
        {
            try
            {
                var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(name, StringComparison.Ordinal));
                return long.Parse(line.Substring(name.Length).Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
            catch (Exception) { return 0; }
        }
    }
}
