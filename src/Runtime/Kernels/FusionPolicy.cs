using System.Threading;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Runtime.Kernels;

/// <summary>When a generated loss runs a fused region's kernel rather than its unfused TorchSharp nodes.</summary>
public static class FusionPolicy
{
    /// <summary>The default of every loss's <c>MinimumFusedPairs</c>: 250,000 pairs (a batch of 500 rows against
    /// itself). Measured with <c>dotnet run -c Release --project bench -- threshold --sizes 128,256,384,512,1024,2048</c>
    /// and <c>--only SupCon|NT-Xent --sizes 256,384,512,768,1024 --rounds 9</c> (2 threads, 2-core AVX-512 machine,
    /// 2026-12-01) after the symmetric log-sum-exp forward began visiting half the tiles: between 256 and 768 rows
    /// fused and unfused are within each other's noise (unfused / fused 0.83–1.58 for NT-Xent, 0.85–1.46 for SupCon,
    /// 0.92–1.10 for multi-similarity), from 1,024 rows fused is 1.35–1.9× faster (docs/performance.md, "The
    /// symmetric log-sum-exp forward"). Before that change the crossover was 1.0–2.9 M pairs and the default 1.5 M.
    /// </summary>
    public const long DefaultMinimumPairs = 250_000;

    /// <summary>The default for regions that reduce rows by max or min (batch-hard mining): 200,000 pairs (about 450 rows
    /// against themselves). Their fused backward is O(N·D) (the arg pair only), so they pay for themselves earlier. On a
    /// quiet machine (docs/performance.md, "The small-batch threshold", re-measured after the unfused path released its
    /// intermediates) batch-hard's crossover was 0.12 M pairs on 1 thread and 0.23–0.26 M on 2; the loaded runs before
    /// had put it at 0.02–0.05 M, which made batch-hard 1.4–1.8× slower fused at 256 rows on the quiet machine.</summary>
    public const long DefaultMinimumArgPairs = 200_000;

    /// <summary>The default for regions with a kernel of their own (RKD angle, RKD distance, the all-triplets margin
    /// loss): 0, fused at every size. Their unfused forms build N×N or N³ tensors and were slower at every size measured
    /// (<c>dotnet run -c Release --project bench -- threshold --only RKD-angle --sizes 4,16,64,128,256</c>, likewise
    /// <c>RKD-dist</c> and <c>TripletMargin</c>; 2 threads): fused 1.3–2.0× faster at 4–64 rows, 1.3× (RKD distance) to
    /// 18× (RKD angle) at 256 rows and 50× (triplet margin) at 512.</summary>
    public const long DefaultMinimumKernelPairs = 0;

    /// <summary>The threshold a region applies: the loss's <c>MinimumFusedPairs</c> when set, else its shape's measured
    /// default (<see cref="DefaultMinimumKernelPairs"/> for a region with its own kernel, <see cref="DefaultMinimumArgPairs"/>
    /// for a row max or min, <see cref="DefaultMinimumPairs"/> otherwise).</summary>
    public static long MinimumPairs(long? set, bool argReduction, bool ownKernel = false) =>
        set ?? (ownKernel ? DefaultMinimumKernelPairs : argReduction ? DefaultMinimumArgPairs : DefaultMinimumPairs);

    /// <summary>Whether a region of <paramref name="rows"/> × <paramref name="columns"/> pairs of
    /// <paramref name="dtype"/> values on <paramref name="device"/> runs fused: never for number types the kernels do
    /// not have (anything but float32 and float64); on the CPU when rows · columns ≥ <paramref name="minimumPairs"/>;
    /// on CUDA only when <see cref="FuseOnCuda"/> is set.</summary>
    public static bool ShouldFuse(long rows, long columns, ScalarType dtype, Device device, long minimumPairs)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64)) return false;
        if (device.type == DeviceType.CUDA) return FuseOnCuda && rows * columns >= minimumPairs;
        return device.type == DeviceType.CPU && rows * columns >= minimumPairs;
    }

    /// <summary>Whether regions of CUDA tensors run the ILGPU kernels (false by default: they run the unfused
    /// TorchSharp nodes on the GPU). Measured on an H200 (docs/performance.md, "GPU"; <c>bench/gpu/run.sh</c>), NT-Xent
    /// forward + backward, float32, D = 128: the ILGPU kernels took 1.31 s at 16,384 rows and 17.4 s at 65,536, PyTorch
    /// eager 0.015 s and 0.21 s — 84–87× faster, at +6.3 GiB and +100 GiB of GPU memory where the kernels need
    /// O(N·D). Set it when a batch's N×N temporaries do not fit the GPU; the kernels copy operands through the host
    /// (not zero-copy, docs/kernels.md).</summary>
    public static bool FuseOnCuda
    {
        get => Volatile.Read(ref _fuseOnCuda);
        set => Volatile.Write(ref _fuseOnCuda, value);
    }

    private static bool _fuseOnCuda;

    /// <summary>Where the kernels of CPU tensors run: the SIMD engine (default) or ILGPU's CPU accelerator (the
    /// code path of CUDA tensors, run on the host; for tests and for checking a formula before a GPU run). Read when
    /// a region's forward pass starts, per thread of execution.</summary>
    public static CpuBackend CpuBackend
    {
        get => Backend.Value;
        set => Backend.Value = value;
    }

    private static readonly System.Threading.AsyncLocal<CpuBackend> Backend = new();
}

/// <summary>Where fused kernels of CPU tensors run.</summary>
public enum CpuBackend
{
    /// <summary>The SIMD pair engine (<see cref="PairEngine"/>).</summary>
    Simd,
    /// <summary>ILGPU's CPU accelerator (<see cref="Gpu.IlgpuPairEngine.CpuAccelerator"/>).</summary>
    IlgpuCpu,
}
