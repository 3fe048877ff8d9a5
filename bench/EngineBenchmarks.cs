using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Bench;

/// <summary>BenchmarkDotNet: NT-Xent and batch-hard forward + backward, engine vs the careful eager port, float32, D = 128.</summary>
[MemoryDiagnoser]
[WarmupCount(1), IterationCount(5)]
public class EngineBenchmarks
{
    [Params(512, 2048)]
    public int Rows;

    private Tensor _z = null!, _views = null!, _classes = null!;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(1);
        _z = randn(Rows, Quick.D);
        var ids = arange(Rows / 2, ScalarType.Int64);
        _views = cat(new[] { ids, ids });
        _classes = randint(Rows / 8, new long[] { Rows }, dtype: ScalarType.Int64);
    }

    private static float Step(System.Func<Tensor, Tensor, Tensor> loss, Tensor z, Tensor y)
    {
        using var scope = NewDisposeScope();
        var leaf = z.detach().requires_grad_(true);
        var l = loss(leaf, y);
        l.backward();
        return l.item<float>();
    }

    [Benchmark(Baseline = true)] public float NtXentEagerCareful() => Step(Losses.NtXentCareful, _z, _views);
    [Benchmark] public float NtXentEngine() => Step(Losses.NtXentFused, _z, _views);
    [Benchmark] public float BatchHardEagerCareful() => Step(Losses.BatchHardCareful, _z, _classes);
    [Benchmark] public float BatchHardEngine() => Step(Losses.BatchHardFused, _z, _classes);
}
