using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using LossDsl.Runtime;
using LossDsl.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Reliability;

/// <summary>Numbers reach libtorch as TorchSharp <c>Scalar</c> objects, which own a native handle and have a
/// finalizer. A temporary Scalar made by an implicit conversion (<c>t * 2.0</c>, <c>masked_fill(m, 0)</c>) is
/// unreachable as soon as its handle is read, so a GC during the native call could free it mid-call
/// (ExternalException "toFloat … Scalar.h", or SIGSEGV). These tests run <c>Compute</c> while another thread
/// keeps the GC busy; <see cref="ScalarLifetimeTests"/> holds that no such temporary is left in the code.</summary>
[Trait("Category", "Stress")]
public class GcDuringComputeTests
{
    private static (Tensor z, Tensor y) Batch(int seed, int n = 1024, int d = 32, ScalarType dtype = ScalarType.Float32)
    {
        using var gen = new torch.Generator((ulong)seed);
        return (randn(new long[] { n, d }, dtype, generator: gen).requires_grad_(), Scalars.Remainder(arange(n, int64), 8));
    }

    /// <summary>NT-Xent at N = 1,024, fused and unfused, with an allocating thread and a collecting one. Before
    /// <see cref="Scalars"/>, 18 of 203 unfused calls failed here.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Compute_survives_a_GC_heavy_background_thread(bool fused)
    {
        var failures = new List<string>();
        using var stop = new CancellationTokenSource();
        // A data loader's allocations, and a collector that runs finalizers as often as it can: without the
        // second, a GC landing inside one native call is too rare to test for (0 of 300 calls here).
        var allocator = Task.Run(() =>
        {
            var sink = 0L;
            while (!stop.IsCancellationRequested) sink += new double[40000].Length;
            return sink;
        });
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        var loss = new NtXent { UseFusedKernels = fused, MinimumFusedPairs = 0 };
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var calls = 0;
        try
        {
            while (calls < 8 || calls < 400 && DateTime.UtcNow < deadline)
            {
                var (z, y) = Batch(calls);
                try
                {
                    using var result = loss.Compute(z, y);
                    result.Total.backward();
                }
                catch (Exception ex) { failures.Add(ex.GetType().Name + ": " + ex.Message); }
                finally { z.Dispose(); y.Dispose(); }
                calls++;
            }
        }
        finally
        {
            stop.Cancel();
            // Joined synchronously on purpose: the test body is the computing thread under test.
#pragma warning disable xUnit1031
            allocator.GetAwaiter().GetResult();
            collector.GetAwaiter().GetResult();
#pragma warning restore xUnit1031
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {calls} calls failed; first: {(failures.Count > 0 ? failures[0] : "")}");
    }

    /// <summary>Four threads computing at once (each thread's own dispose scopes) give the serial results. In
    /// float64: libtorch splits reductions by its thread count, which concurrency changes, so float32 sums may
    /// differ in the last bits.</summary>
    [Fact]
    public void Concurrent_computes_give_the_serial_results()
    {
        const int threads = 4, rounds = 8;
        var loss = new NtXent { UseFusedKernels = false, MinimumFusedPairs = 0 };
        var expected = new double[threads];
        for (var t = 0; t < threads; t++)
        {
            var (z, y) = Batch(100 + t, 256, 16, ScalarType.Float64);
            using var r = loss.Compute(z, y);
            expected[t] = r.Total.item<double>();
        }
        var errors = new List<string>();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var k = 0; k < rounds; k++)
            {
                var (z, y) = Batch(100 + t, 256, 16, ScalarType.Float64);
                try
                {
                    using var r = new NtXent { UseFusedKernels = false, MinimumFusedPairs = 0 }.Compute(z, y);
                    r.Total.backward();
                    var value = r.Total.item<double>();
                    if (Math.Abs(value - expected[t]) > 1e-12 * Math.Abs(expected[t]))
                        lock (errors) errors.Add($"thread {t}: {value} != {expected[t]}");
                }
                catch (Exception ex) { lock (errors) errors.Add(ex.GetType().Name + ": " + ex.Message); }
                GC.Collect(0);
            }
        });
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
