using System;
using System.Diagnostics;
using System.IO;
using TorchSharp;

namespace LossDsl.Examples;

/// <summary>What every example does first: one libtorch thread, a fixed seed, a folder for its output
/// (<c>artifacts/examples/NAME</c> under the current directory), and a clock.</summary>
public sealed class ExampleRun
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private ExampleRun(string name, int seed, int threads, string output)
    {
        Name = name;
        Seed = seed;
        Threads = threads;
        OutputDirectory = output;
    }

    public string Name { get; }
    public int Seed { get; }
    public int Threads { get; }
    public string OutputDirectory { get; }
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Sets libtorch to one intra-op thread (or <c>LOSSDSL_THREADS</c>): these networks are small, and on a
    /// 2-core machine shared with other work libtorch's default of one thread per core made the distillation
    /// example 10× slower (44–83 s against 4–8 s, same accuracies). Seeds libtorch with <paramref name="seed"/>.</summary>
    public static ExampleRun Start(string name, int seed)
    {
        // TorchSharp's native library first: if it cannot load, LossDsl's message says why and what to do.
        LossDsl.Runtime.TorchNative.EnsureLoaded();
        var threads = int.TryParse(Environment.GetEnvironmentVariable("LOSSDSL_THREADS"), out var n) && n > 0 ? n : 1;
        torch.set_num_threads(threads);
        torch.random.manual_seed(seed);
        var output = Path.Combine(Directory.GetCurrentDirectory(), "artifacts", "examples", name);
        Directory.CreateDirectory(output);
        Console.WriteLine($"{name}: seed {seed}, {threads} libtorch thread{(threads == 1 ? "" : "s")}, output in {output}");
        return new ExampleRun(name, seed, threads, output);
    }

    /// <summary>A path in the output folder.</summary>
    public string Output(string fileName) => Path.Combine(OutputDirectory, fileName);

    /// <summary>Prints the total time.</summary>
    public void Finish() => Console.WriteLine($"\n{Name}: total time {Elapsed.TotalSeconds:F1} s");
}
