using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossDsl.Tests.Fusion;

/// <summary>Peak-memory tests measure the whole process, so they run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    public const string Name = "Process memory (runs alone)";
}

/// <summary>The fused kernel at N = 8,192: forward and backward add O(N·D) to the process's peak
/// resident memory, far below the 256 MiB one N×N float32 matrix needs, while the unfused loss's
/// peak shows that matrix (which proves the probe sees it).</summary>
/// <remarks>Slow (about half of the suite's time on 2 cores): `dotnet test LossDsl.sln` skips them
/// (fast.runsettings); .ci/run runs them after the rest (slow.runsettings).</remarks>
[Collection(ProcessMemoryCollection.Name)]
[Trait("Category", "Slow")]
public class FusedMemoryTests
{
    private const int N = 8192;
    private const int D = 64;
    private const long MiB = 1 << 20;
    private const long NxNFloat32 = (long)N * N * sizeof(float);

    private readonly ITestOutputHelper _output;
    public FusedMemoryTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void FusedForwardBackward_AtN8192_StaysOrderND()
    {
        if (!PeakProbe.Available(out var why))
        {
            _output.WriteLine("SKIPPED: " + why);
            return;
        }
        var loss = new FusedNegatives();
        Assert.True(loss.FusedRegions.Count == 1, "FusedNegatives has no fused region: is the generator wired to FusionPlanner?");
        var random = new Random(8192);
        using var scope = NewDisposeScope();
        var z = randn(N, D, dtype: ScalarType.Float32);
        var y = FusionNumerics.Labels(random, N, 100);

        // Warm up on a small batch (JIT, thread pool, TorchSharp's allocator) so the probe sees the kernel only.
        RunOnce(loss, randn(64, D, dtype: ScalarType.Float32), FusionNumerics.Labels(random, 64, 100), fused: true);
        RunOnce(loss, randn(64, D, dtype: ScalarType.Float32), FusionNumerics.Labels(random, 64, 100), fused: false);

        var (fusedPeak, fusedSeconds, fusedLoss) = Measure(() => RunOnce(loss, z, y, fused: true));
        var (unfusedPeak, unfusedSeconds, unfusedLoss) = Measure(() => RunOnce(loss, z, y, fused: false));

        var inputBytes = (long)N * D * sizeof(float);
        _output.WriteLine($"N = {N}, D = {D}, float32. z is {inputBytes / (double)MiB:F1} MiB; one N×N float32 matrix is {NxNFloat32 / MiB} MiB.");
        _output.WriteLine($"fused   forward+backward: peak RSS +{fusedPeak / (double)MiB:F1} MiB, {fusedSeconds:F2} s, loss {fusedLoss:R}");
        _output.WriteLine($"unfused forward+backward: peak RSS +{unfusedPeak / (double)MiB:F1} MiB, {unfusedSeconds:F2} s, loss {unfusedLoss:R}");

        Assert.True(Math.Abs(fusedLoss - unfusedLoss) <= 1e-4 * Math.Abs(unfusedLoss), $"fused {fusedLoss} vs unfused {unfusedLoss}");
        // O(N·D): a few copies of z (double copies, gradients, normalisation), never an N×N matrix.
        Assert.True(fusedPeak < 64 * MiB, $"the fused path raised the peak by {fusedPeak / MiB} MiB");
        Assert.True(unfusedPeak >= NxNFloat32, $"the probe should see the unfused N×N matrices, but saw only {unfusedPeak / MiB} MiB");
    }

    public static TheoryData<string> PairLosses() => new()
    {
        nameof(LossDsl.Zoo.NtXent), nameof(LossDsl.Zoo.SupCon), nameof(LossDsl.Zoo.MultiSimilarity), nameof(LossDsl.Zoo.BatchHardTriplet),
        nameof(LossDsl.Zoo.Contrastive), nameof(LossDsl.Zoo.Circle), nameof(LossDsl.Zoo.Nca), nameof(LossDsl.Zoo.LiftedStructure),
    };

    /// <summary>Whole zoo losses, not just a region: every pairwise reduction in them is fused and nothing else is
    /// pairwise, so with fusion on each runs at O(N·D) memory end to end, forward and backward (unfused, each holds
    /// several N×N float32 matrices of 256 MiB).</summary>
    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(PairLosses))]
    public void A_fused_zoo_loss_at_N8192_stays_order_ND_end_to_end(string name)
    {
        if (!PeakProbe.Available(out var why))
        {
            _output.WriteLine("SKIPPED: " + why);
            return;
        }
        var loss = (LossDsl.Runtime.ILoss)Activator.CreateInstance(typeof(LossDsl.Zoo.NtXent).Assembly.GetType("LossDsl.Zoo." + name)!)!;
        var random = new Random(8194);
        using var scope = NewDisposeScope();
        var z = randn(N, D, dtype: ScalarType.Float32);
        var y = FusionNumerics.Labels(random, N, 100);
        RunOnce(loss, randn(64, D, dtype: ScalarType.Float32), FusionNumerics.Labels(random, 64, 100), fused: true);

        var (peak, seconds, value) = Measure(() => RunOnce(loss, z, y, fused: true));
        _output.WriteLine($"{name} fused, N = {N}, D = {D}, float32: peak RSS +{peak / (double)MiB:F1} MiB, {seconds:F2} s, loss {value:R}");
        Assert.True(double.IsFinite(value));
        // The regions' O(N·D) buffers and the thread pool's stacks; half of one N×N matrix is the bound.
        Assert.True(peak < NxNFloat32 / 2, $"{name} raised the peak by {peak / MiB} MiB (one N×N float32 matrix is {NxNFloat32 / MiB} MiB)");
    }

    /// <summary>The triple losses: the all-triplets margin loss at N = 1,024 (its N³ triplet tensor is 4 GiB) and RKD's
    /// angle loss at N = 512 (each N³ angle tensor is 512 MiB) stay far below one N³ tensor.</summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("TripletMargin", 1024)]
    [InlineData("RkdAngle", 512)]
    public void A_fused_triple_loss_never_builds_its_cube(string name, int n)
    {
        if (!PeakProbe.Available(out var why))
        {
            _output.WriteLine("SKIPPED: " + why);
            return;
        }
        var loss = (LossDsl.Runtime.ILoss)Activator.CreateInstance(typeof(LossDsl.Zoo.NtXent).Assembly.GetType("LossDsl.Zoo." + name)!)!;
        loss.MinimumFusedPairs = 0;
        using var scope = NewDisposeScope();
        var inputs = name == "RkdAngle"
            ? new Dictionary<string, Tensor> { ["student"] = randn(n, D).requires_grad_(true), ["teacher"] = randn(n, D) }
            : new Dictionary<string, Tensor> { ["z"] = randn(n, D).requires_grad_(true), ["y"] = FusionNumerics.Labels(new Random(n), n, 16) };
        var (peak, seconds, value) = Measure(() =>
        {
            using var result = loss.Compute(inputs);
            result.Total.backward();
            return result.Total.item<float>();
        });
        var cube = (long)n * n * n * sizeof(float);
        _output.WriteLine($"{name} fused, N = {n}: peak RSS +{peak / (double)MiB:F1} MiB, {seconds:F2} s, loss {value:R}; one N³ float32 tensor is {cube / MiB} MiB");
        Assert.True(double.IsFinite(value));
        Assert.True(peak < cube / 8, $"{name} raised the peak by {peak / MiB} MiB");
    }

    private static double RunOnce(LossDsl.Runtime.ILoss loss, Tensor z, Tensor y, bool fused)
    {
        using var scope = NewDisposeScope();
        LossPaths.UseFused(loss, fused);
        var leaf = z.detach().clone().requires_grad_(true);
        using var result = loss.Compute(new Dictionary<string, Tensor> { ["z"] = leaf, ["y"] = y });
        result.Total.backward();
        return result.Total.item<float>();
    }

    private static (long PeakIncrease, double Seconds, double Loss) Measure(Func<double> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = PeakProbe.Reset();
        var clock = Stopwatch.StartNew();
        var loss = run();
        clock.Stop();
        return (PeakProbe.Peak() - before, clock.Elapsed.TotalSeconds, loss);
    }

    /// <summary>The process's peak resident set (VmHWM), reset by writing 5 to /proc/self/clear_refs.</summary>
    private static class PeakProbe
    {
        public static bool Available(out string why)
        {
            why = "";
            try
            {
                if (!File.Exists("/proc/self/status") || !File.Exists("/proc/self/clear_refs"))
                {
                    why = "/proc/self/clear_refs is unavailable (not Linux?): the peak-memory check needs it to reset VmHWM.";
                    return false;
                }
                Reset();
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                why = $"cannot reset the peak RSS through /proc/self/clear_refs ({e.Message}).";
                return false;
            }
        }

        /// <summary>Resets VmHWM to the current RSS and returns it, in bytes.</summary>
        public static long Reset()
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return Read("VmRSS:");
        }

        public static long Peak() => Read("VmHWM:");

        private static long Read(string field)
        {
            var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
            var kb = long.Parse(line.Substring(field.Length).Trim().Split(' ')[0]);
            return kb * 1024;
        }
    }
}
