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
        Assert.True(typeof(FusedNegatives).GetNestedTypes(System.Reflection.BindingFlags.NonPublic).Any(t => t.Name == "__FusedRegion0"),
            "FusedNegatives has no fused region: is the generator wired to FusionPlanner and KernelEmitter?");
        var loss = new FusedNegatives();
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

    /// <summary>A whole zoo loss, not just a region: multi-similarity's two log-sum-exps are both fused and
    /// nothing else in it is pairwise, so with fusion on it runs at O(N·D) memory end to end.</summary>
    [Fact]
    public void MultiSimilarity_AtN8192_StaysOrderND_EndToEnd()
    {
        if (!PeakProbe.Available(out var why))
        {
            _output.WriteLine("SKIPPED: " + why);
            return;
        }
        var loss = new LossDsl.Zoo.MultiSimilarity();
        var random = new Random(8193);
        using var scope = NewDisposeScope();
        var z = randn(N, D, dtype: ScalarType.Float32);
        var y = FusionNumerics.Labels(random, N, 100);
        RunOnce(loss, randn(64, D, dtype: ScalarType.Float32), FusionNumerics.Labels(random, 64, 100), fused: true);

        var (peak, seconds, value) = Measure(() => RunOnce(loss, z, y, fused: true));
        _output.WriteLine($"MultiSimilarity fused, N = {N}, D = {D}, float32: peak RSS +{peak / (double)MiB:F1} MiB, {seconds:F2} s, loss {value:R}");
        Assert.True(double.IsFinite(value));
        // Two regions' O(N·D) buffers and the thread pool's stacks (measured ≈ 45 MiB); half of one N×N matrix is the bound.
        Assert.True(peak < NxNFloat32 / 2, $"MultiSimilarity raised the peak by {peak / MiB} MiB (one N×N float32 matrix is {NxNFloat32 / MiB} MiB)");
    }

    /// <summary>NT-Xent end to end: the negatives' log-sum-exp and the positives' softplus pair mean are
    /// both fused, so with fusion on no N×N matrix exists anywhere in the loss, forward or backward.</summary>
    [Fact]
    public void NtXent_AtN8192_StaysOrderND_EndToEnd()
    {
        if (!PeakProbe.Available(out var why))
        {
            _output.WriteLine("SKIPPED: " + why);
            return;
        }
        var loss = new LossDsl.Zoo.NtXent();
        var random = new Random(8194);
        using var scope = NewDisposeScope();
        var z = randn(N, D, dtype: ScalarType.Float32);
        var y = FusionNumerics.Labels(random, N, 100);
        RunOnce(loss, randn(64, D, dtype: ScalarType.Float32), FusionNumerics.Labels(random, 64, 100), fused: true);

        var (peak, seconds, value) = Measure(() => RunOnce(loss, z, y, fused: true));
        _output.WriteLine($"NtXent fused, N = {N}, D = {D}, float32: peak RSS +{peak / (double)MiB:F1} MiB, {seconds:F2} s, loss {value:R}");
        Assert.True(double.IsFinite(value));
        Assert.True(peak < NxNFloat32 / 2, $"NtXent raised the peak by {peak / MiB} MiB (one N×N float32 matrix is {NxNFloat32 / MiB} MiB)");
    }

    private static double RunOnce(LossDsl.Runtime.ILoss loss, Tensor z, Tensor y, bool fused)
    {
        using var scope = NewDisposeScope();
        loss.UseFusedKernels = fused;
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
