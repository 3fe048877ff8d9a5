using LossDsl.Zoo;

namespace LossDsl.Tests.Oracle;

/// <summary>The parity comparison is sharp enough to notice a reference altered by one part in a million.</summary>
public sealed class ToleranceSanityTests
{
    [Fact]
    public void A_reference_perturbed_by_1e6_relative_is_reported_as_a_mismatch()
    {
        var c = OracleCase.Get("pml_supcon_t0.1_n12_d5_c3");
        var (loss, names) = ZooParityTests.ZooLossFor(c);

        var exact = OracleRun.Errors(c, names, ZooParityTests.Compute(loss, "unfused"));
        var perturbed = OracleRun.Errors(c, names, ZooParityTests.Compute(loss, "unfused"), perturb: 1e-6);

        Assert.All(exact, e => Assert.True(e.Error <= 1e-9, $"{e.What}: {e.Error:E2}"));
        Assert.All(perturbed, e => Assert.True(e.Error > 1e-9 && e.Error < 2e-6, $"{e.What}: {e.Error:E2}"));
    }

    [Fact]
    public void Matches_rejects_NaN_and_shape_changes()
    {
        var a = TorchSharp.torch.ones(3, TorchSharp.torch.float64);
        Assert.False(Tolerance.Matches(a * double.NaN, a, 1, out _));
        Assert.False(Tolerance.Matches(a.reshape(1, 3), a, 1, out _));
        Assert.True(Tolerance.Matches(a, a, 0, out var error) && error == 0);
    }
}
