using LossDsl.Runtime.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Kernels;

/// <summary>When a region fuses: float32/float64 only; on the CPU from its pair threshold; on CUDA only when
/// <see cref="FusionPolicy.FuseOnCuda"/> is set (the ILGPU kernels are slower than eager there, docs/performance.md).</summary>
[Collection(EngineSettingsCollection.Name)]
public class FusionPolicyTests
{
    [Fact]
    public void The_cpu_fuses_from_the_threshold_and_cuda_only_when_asked()
    {
        var cpu = new Device(DeviceType.CPU);
        var cuda = new Device(DeviceType.CUDA, 0);
        Assert.False(FusionPolicy.ShouldFuse(999, 1000, ScalarType.Float32, cpu, 1_000_000));
        Assert.True(FusionPolicy.ShouldFuse(1000, 1000, ScalarType.Float32, cpu, 1_000_000));
        Assert.False(FusionPolicy.ShouldFuse(1000, 1000, ScalarType.Float16, cpu, 0));
        Assert.False(FusionPolicy.FuseOnCuda);
        Assert.False(FusionPolicy.ShouldFuse(100_000, 100_000, ScalarType.Float32, cuda, 0));
        try
        {
            FusionPolicy.FuseOnCuda = true;
            Assert.True(FusionPolicy.ShouldFuse(100_000, 100_000, ScalarType.Float32, cuda, 1_000_000));
            Assert.False(FusionPolicy.ShouldFuse(10, 10, ScalarType.Float32, cuda, 1_000_000));
        }
        finally { FusionPolicy.FuseOnCuda = false; }
    }

    [Fact]
    public void Row_max_and_min_regions_fuse_from_their_own_default()
    {
        Assert.Equal(FusionPolicy.DefaultMinimumArgPairs, FusionPolicy.MinimumPairs(null, argReduction: true));
        Assert.Equal(FusionPolicy.DefaultMinimumPairs, FusionPolicy.MinimumPairs(null, argReduction: false));
        Assert.Equal(0, FusionPolicy.MinimumPairs(0, argReduction: true));
        Assert.True(FusionPolicy.DefaultMinimumArgPairs < FusionPolicy.DefaultMinimumPairs);
    }
}
