using System;
using System.Linq;
using LossDsl.Ir;
using LossDsl.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Equality;

/// <summary>The design's invariant, for every loss in the repository: the code the generator emitted
/// computes what the interpreter computes from the IR that running the term bodies traces (values and
/// gradients, float64), and that traced IR equals the IR the generator read from syntax.</summary>
public class GeneratedEqualsInterpreterTests
{
    private const double Tolerance = 1e-10;

    public static TheoryData<string> Losses => RepositoryLosses.Names();

    [Theory]
    [MemberData(nameof(Losses))]
    public void Traced_IR_equals_the_IR_the_generator_read(string loss)
    {
        var instance = RepositoryLosses.Create(loss);
        var generatorIr = (LossIr)instance.GetType().GetProperty("Ir")!.GetValue(null)!;
        var bound = IrTransforms.BindHypers(generatorIr, instance.HyperValues);
        Assert.Equal(IrTransforms.CanonicalText(bound), IrTransforms.CanonicalText(instance.Trace()));
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Generated_compute_equals_interpreter_value_and_gradients(string loss)
    {
        foreach (var (seed, batch) in new[] { (1, 8L), (2, 5L), (3, 12L) })
        {
            var instance = RepositoryLosses.Create(loss);
            LossPaths.UseFused(instance, false);
            AssertSame(instance, seed, batch, Tolerance);
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Fused_generated_compute_equals_interpreter(string loss)
    {
        var instance = RepositoryLosses.Create(loss);
        LossPaths.UseFused(instance, true);
        AssertSame(instance, seed: 4, batch: 9, tolerance: 1e-9);
    }

    private static void AssertSame(ILoss loss, int seed, long batch, double tolerance)
    {
        using var scope = NewDisposeScope();
        var traced = loss.Trace();
        var inputs = RandomInputs.For(traced, seed, batch);
        var floats = inputs.Where(kv => kv.Value.is_floating_point()).ToArray();

        using var generated = loss.Compute(inputs);
        var generatedGrads = Gradients(generated.Total, floats.Select(kv => kv.Value).ToArray());
        using var interpreted = IrInterpreter.Evaluate(traced, inputs, null, loss.Name);
        var interpretedGrads = Gradients(interpreted.Total, floats.Select(kv => kv.Value).ToArray());

        AssertClose(interpreted.Total, generated.Total, tolerance, $"{loss.Name} total (seed {seed})");
        foreach (var term in interpreted.Terms)
            AssertClose(term.Raw, generated[term.Name].Raw, tolerance, $"{loss.Name}.{term.Name} raw");
        for (var i = 0; i < floats.Length; i++)
            AssertClose(interpretedGrads[i], generatedGrads[i], tolerance, $"{loss.Name} ∂total/∂{floats[i].Key}");
    }

    private static Tensor[] Gradients(Tensor total, Tensor[] inputs) =>
        torch.autograd.grad(new[] { total }, inputs, allow_unused: true)
            .Select((g, i) => g is null || g.IsInvalid ? zeros_like(inputs[i]) : g).ToArray();

    internal static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        var e = expected.detach().to_type(ScalarType.Float64);
        var a = actual.detach().to_type(ScalarType.Float64);
        Assert.Equal(e.shape, a.shape);
        // Equal entries count as exact, infinities included (an empty row's log-sum-exp is −∞ on both sides).
        var same = e.eq(a).logical_or(e.isnan().logical_and(a.isnan()));
        var difference = where(same, zeros_like(e), (e - a).abs());
        var scale = Math.Max(where(e.isfinite(), e.abs(), zeros_like(e)).max().item<double>(), 1e-300);
        var error = e.numel() == 0 ? 0 : difference.max().item<double>() / scale;
        Assert.True(error <= tolerance, $"{what}: max relative error {error:E2} > {tolerance:E0}");
    }
}
