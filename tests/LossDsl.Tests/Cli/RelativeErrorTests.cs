using LossDsl.Cli;

namespace LossDsl.Tests.Cli;

public sealed class RelativeErrorTests
{
    [Fact]
    public void The_value_error_is_relative_to_the_reference()
    {
        Assert.Equal(1e-3, RelativeError.OfValue(2.002, 2.0), 12);
        Assert.Equal(0, RelativeError.OfValue(double.NaN, double.NaN));
        Assert.Equal(double.PositiveInfinity, RelativeError.OfValue(double.NaN, 1));
        Assert.True(RelativeError.OfValue(1e-20, 0) > 1e200); // a zero reference needs an exact zero
    }

    [Fact]
    public void The_gradient_error_is_normwise()
    {
        // The small entry is off by 100% of itself but 1e-6 of the largest entry.
        Assert.Equal(1e-6, RelativeError.OfGradient(new[] { 2e-6, 1.0 }, new[] { 1e-6, 1.0 }), 15);
        Assert.Equal(0, RelativeError.OfGradient(new[] { 0.0, 0.0 }, new[] { 0.0, 0.0 }));
        Assert.Equal(double.PositiveInfinity, RelativeError.OfGradient(new[] { 1.0 }, new[] { 1.0, 2.0 }));
    }

    [Fact]
    public void Python_non_finite_literals_are_read()
    {
        // json.dump writes NaN for a NaN loss: the file still loads, and the case fails rather than crashing.
        var c = ReferenceCases.Copy("pml_ntxent_t0.07_n12_d5_c3");
        c["loss"] = 0.0;
        var text = new System.Text.Json.Nodes.JsonObject { ["cases"] = new System.Text.Json.Nodes.JsonArray(c) }
            .ToJsonString().Replace("\"loss\":0", "\"loss\":NaN");
        Assert.Contains("NaN", text);

        var run = CliRun.OnText(text);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("max rel err inf in loss", run.CaseLine("pml_ntxent_t0.07_n12_d5_c3"));
    }
}
