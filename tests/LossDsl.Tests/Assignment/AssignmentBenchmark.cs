using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.InteropServices;
using LossDsl.Runtime.Assignment;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossDsl.Tests.Assignment;

/// <summary>Solve times, printed: a benchmark, not a timed assertion (only the results are asserted). Run:
/// <c>dotnet test tests/LossDsl.Tests --filter "FullyQualifiedName~AssignmentBenchmark" --logger "console;verbosity=detailed"</c>.
/// Each figure is the best of several rounds, per solve: wall time, and on Linux this thread's CPU time, which a
/// loaded machine inflates less.</summary>
[Trait("Category", "Slow")]
public sealed class AssignmentBenchmark
{
    private readonly ITestOutputHelper _output;

    public AssignmentBenchmark(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData("uniform [0, 1)", 100, 100)]
    [InlineData("integers 0..9 (ties)", 100, 100)]
    [InlineData("uniform [0, 1)", 100, 20)]   // DETR: 100 queries, 20 objects
    [InlineData("uniform [0, 1)", 300, 300)]
    public void Solve_time(string kind, int n, int m)
    {
        const int matrices = 64;
        var rng = new Random(n * 1000 + m);
        Func<Random, double> entry = kind.StartsWith("integers", StringComparison.Ordinal) ? r => r.Next(10) : r => r.NextDouble();
        var costs = Enumerable.Range(0, matrices).Select(_ => AssignmentReference.Random(rng, n, m, entry)).ToArray();
        var flat = costs.Select(AssignmentReference.Flatten).ToArray();
        var solver = new LinearAssignmentSolver();
        var rows = new int[Math.Min(n, m)];
        var cols = new int[Math.Min(n, m)];

        var (wall, cpu) = Best(rounds: 9, solves: matrices, () => { foreach (var c in flat) solver.Solve(c, n, m, rows, cols); });
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        foreach (var c in flat) solver.Solve(c, n, m, rows, cols);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        _output.WriteLine($"{n} × {m} {kind}: {wall:F1} µs wall, {cpu:F1} µs thread CPU per solve; {allocated} bytes allocated in {matrices} solves");

        Assert.True(AssignmentReference.IsOptimal(costs[^1], rows, cols));
    }

    [Fact]
    public void Batched_detr_time()
    {
        // 8 images × 100 queries, 0–30 targets each: the host part of DETR's matcher, from a float32 cost tensor.
        var rng = new Random(8);
        var counts = Enumerable.Range(0, 8).Select(_ => rng.Next(31)).ToArray();
        var cost = rand(new long[] { 800, counts.Sum() }, ScalarType.Float32, generator: new torch.Generator(8));
        var queryImage = arange(8, ScalarType.Int64).repeat_interleave(100L);
        var targetImage = tensor(counts.SelectMany((c, b) => Enumerable.Repeat((long)b, c)).ToArray());
        Tensor pairs = zeros(0);
        var (wall, cpu) = Best(rounds: 20, solves: 1, () =>
        {
            using var scope = NewDisposeScope();
            var (r, _) = TensorMatching.LinearSumAssignment(cost, queryImage, targetImage);
            pairs.Dispose();
            pairs = r.MoveToOuterDisposeScope();
        });
        _output.WriteLine($"DETR batch, 8 × 100 queries, {counts.Sum()} targets, float32 tensor in, int64 pairs out: {wall:F1} µs wall, {cpu:F1} µs thread CPU");
        Assert.Equal(counts.Sum(), pairs.shape[0]);
    }

    /// <summary>The best per-solve time over <paramref name="rounds"/> runs of <paramref name="work"/> (after two
    /// warm-up runs), in µs.</summary>
    private static (double Wall, double Cpu) Best(int rounds, int solves, Action work)
    {
        work();
        work();
        double wall = double.MaxValue, cpu = double.MaxValue;
        for (var round = 0; round < rounds; round++)
        {
            var cpuStart = ThreadCpuMicroseconds();
            var watch = Stopwatch.StartNew();
            work();
            wall = Math.Min(wall, watch.Elapsed.TotalMicroseconds / solves);
            cpu = Math.Min(cpu, (ThreadCpuMicroseconds() - cpuStart) / solves);
        }
        return (wall, cpu);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    /// <summary>This thread's CPU time (CLOCK_THREAD_CPUTIME_ID), NaN off Linux.</summary>
    private static double ThreadCpuMicroseconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        const int threadCpuClock = 3;
        return ClockGetTime(threadCpuClock, out var t) == 0 ? t.Seconds * 1e6 + t.Nanoseconds / 1e3 : double.NaN;
    }
}
