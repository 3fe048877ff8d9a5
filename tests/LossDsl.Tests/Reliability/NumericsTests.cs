using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime;
using LossDsl.Tests.Runtime;
using LossDsl.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Reliability;

/// <summary>Float32 under stress (issue 9, numerics): temperatures down to 1e-3 and logits up to 1e4, fused and
/// unfused. No NaN or infinity in value or gradient, and the float32 result within 1e-4 of float64 on the same
/// (float32-rounded) inputs where the problem is well conditioned: the value always; the gradients to
/// <c>max(1e-4, 8·ε₃₂/τ)</c> of the largest gradient entry of the loss (a similarity error of ε₃₂ moves each softmax
/// weight by ε₃₂/τ relative; entries far below the largest, such as a teacher's softmax weights that underflow float32
/// at τ = 0.01, are not well conditioned on their own).</summary>
public sealed class NumericsTests
{
    private const double Eps32 = 1.1920929e-7;

    public static TheoryData<string, double, bool> TemperatureCases()
    {
        var data = new TheoryData<string, double, bool>();
        foreach (var loss in new[] { "NtXent", "SupCon", "SupConKhosla", "HintonKd" })
            foreach (var t in new[] { 1e-3, 1e-2, 0.07, 1.0 })
                foreach (var fused in new[] { false, true })
                    data.Add(loss, t, fused);
        return data;
    }

    private static ILoss Make(string name, double t) => name switch
    {
        "NtXent" => new NtXent { Temperature = t },
        "SupCon" => new SupCon { Temperature = t },
        "SupConKhosla" => new SupConKhosla { Temperature = t, BaseTemperature = t },
        "HintonKd" => new HintonKd { T = t },
        _ => throw new ArgumentException(name),
    };

    private static Dictionary<string, Tensor> Inputs(string name, ScalarType dtype, double logitScale = 3)
    {
        // Float32-rounded values, so both precisions see the same inputs.
        Tensor F(int seed, params long[] shape) => TestData.Randn(seed, shape).to(ScalarType.Float32).to(dtype).requires_grad_(true);
        return name == "HintonKd"
            ? new() { ["student"] = (F(1, 16, 10) * logitScale).detach().requires_grad_(true), ["teacher"] = (F(2, 16, 10) * logitScale).detach().requires_grad_(true) }
            : new() { ["z"] = F(3, 24, 8), ["y"] = arange(24, ScalarType.Int64) % 4 };
    }

    private static (double Value, Dictionary<string, Tensor> Grads) Run(ILoss loss, Dictionary<string, Tensor> inputs)
    {
        using var result = loss.Compute(inputs);
        result.Total.backward();
        return (result.Total.to(ScalarType.Float64).item<double>(),
            inputs.Where(i => i.Value.grad is not null).ToDictionary(i => i.Key, i => i.Value.grad!.to(ScalarType.Float64).detach().clone()));
    }

    [Theory]
    [MemberData(nameof(TemperatureCases))]
    public void Small_temperatures_in_float32_stay_finite_and_close_to_float64(string name, double t, bool fused)
    {
        using var scope = NewDisposeScope();
        var loss = Make(name, t);
        LossPaths.UseFused(loss, fused);
        var (value32, grads32) = Run(loss, Inputs(name, ScalarType.Float32));
        var (value64, grads64) = Run(loss, Inputs(name, ScalarType.Float64));

        Assert.True(double.IsFinite(value32), $"{name} τ = {t}: {value32}");
        Assert.True(Math.Abs(value32 - value64) <= 1e-4 * Math.Max(1, Math.Abs(value64)), $"{name} τ = {t}: {value32} vs {value64}");
        var tolerance = Math.Max(1e-4, 8 * Eps32 / t);
        var scale = grads64.Values.Max(g => g.abs().max().item<double>());
        foreach (var (input, g64) in grads64)
        {
            var g32 = grads32[input];
            Assert.False(g32.isnan().any().item<bool>() || g32.isinf().any().item<bool>(), $"{name} τ = {t}: non-finite gradient of {input}");
            var error = (g32 - g64).abs().max().item<double>() / Math.Max(scale, 1e-30);
            Assert.True(error <= tolerance, $"{name} τ = {t}: gradient of {input} off by {error:E2} of its largest entry (tolerance {tolerance:E1})");
        }
    }

    public static TheoryData<string, bool> LogitCases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var loss in new[] { "HintonKd", "HintonKd-T1", "CrossEntropyWithZLoss", "DpoSigmoid", "Npo" })
            foreach (var fused in new[] { false, true })
                data.Add(loss, fused);
        return data;
    }

    [Theory]
    [MemberData(nameof(LogitCases))]
    public void Logits_up_to_1e4_in_float32_stay_finite_and_close_to_float64(string name, bool fused)
    {
        using var scope = NewDisposeScope();
        ILoss Loss() => name switch
        {
            "HintonKd" => new HintonKd { T = 4 },
            "HintonKd-T1" => new HintonKd { T = 1 },
            "CrossEntropyWithZLoss" => new CrossEntropyWithZLoss(),
            "DpoSigmoid" => new DpoSigmoid(),
            _ => new Npo(),
        };
        Dictionary<string, Tensor> Make(ScalarType dtype)
        {
            // Values of magnitude up to 1e4, rounded to float32 first.
            Tensor Big(int seed, params long[] shape) => (TestData.Randn(seed, shape) * 4000).clamp(-1e4, 1e4).to(ScalarType.Float32).to(dtype).requires_grad_(true);
            return name switch
            {
                "HintonKd" or "HintonKd-T1" => new() { ["student"] = Big(1, 8, 12), ["teacher"] = Big(2, 8, 12) },
                "CrossEntropyWithZLoss" => new() { ["logits"] = Big(3, 8, 12), ["labels"] = tensor(new long[] { 0, 3, 11, -100, 5, 7, 2, -100 }) },
                "DpoSigmoid" => new() { ["chosen"] = Big(4, 8), ["rejected"] = Big(5, 8), ["refChosen"] = Big(6, 8), ["refRejected"] = Big(7, 8) },
                _ => new() { ["policy"] = Big(8, 8), ["reference"] = Big(9, 8) },
            };
        }
        var loss = Loss();
        LossPaths.UseFused(loss, fused);
        var (value32, grads32) = Run(loss, Make(ScalarType.Float32));
        var (value64, grads64) = Run(loss, Make(ScalarType.Float64));
        Assert.True(double.IsFinite(value32), $"{name}: {value32}");
        Assert.True(Math.Abs(value32 - value64) <= 1e-4 * Math.Max(1, Math.Abs(value64)), $"{name}: {value32} vs {value64}");
        var scale = grads64.Values.Max(g => g.abs().max().item<double>());
        foreach (var (input, g64) in grads64)
        {
            var g32 = grads32[input];
            Assert.False(g32.isnan().any().item<bool>() || g32.isinf().any().item<bool>(), $"{name}: non-finite gradient of {input}");
            var error = (g32 - g64).abs().max().item<double>() / Math.Max(scale, 1e-30);
            Assert.True(error <= 1e-4, $"{name}: gradient of {input} off by {error:E2} of its largest entry");
        }
    }
}
