using System.Linq;
using BenchmarkDotNet.Running;

namespace LossDsl.Bench;

internal static class Program
{
    /// <summary><c>quick</c>: one table in a few minutes (see Quick); anything else goes to BenchmarkDotNet.</summary>
    public static int Main(string[] args)
    {
        if (args.FirstOrDefault() == "small") return Small.Run(args.Skip(1).ToArray());
        if (args.FirstOrDefault() == "small-ab") return SmallAB.Run(args.Skip(1).ToArray());
        if (args.FirstOrDefault() == "profile") return Profile.Run(args.Skip(1).ToArray());
        if (args.FirstOrDefault() == "ab") return AB.Run(args.Skip(1).ToArray());
        if (args.FirstOrDefault() == "peak") return Peak.Run();
        if (args.FirstOrDefault() == "probe") return Probe.Run(args.Skip(1).ToArray());
        if (args.FirstOrDefault() == "unfused-peak") return UnfusedPeak.Run(args.Skip(1).ToArray());
        if (args.FirstOrDefault() == "threshold") return Threshold.Run(args.Skip(1).ToArray());
        if (args.FirstOrDefault() == "quick") return Quick.Run(args.Skip(1).ToArray());
        if (args.FirstOrDefault() == "classes") return Classes.Run(args.Skip(1).ToArray());
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
