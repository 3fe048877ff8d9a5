using System;
using System.Collections.Generic;
using LossDsl.Ir;
using LossDsl.Runtime;
using LossDsl.Tests.Oracle;
using LossDsl.Zoo;
using TorchSharp;

namespace LossDsl.Tests.Runtime;

public sealed class InterpreterTests
{
    [Fact]
    public void Total_is_the_weighted_sum_of_terms_in_order()
    {
        var inputs = TestData.DistillationInputs();
        using var result = IrInterpreter.Evaluate(TestData.Distillation(), inputs, lossName: "Distillation");
        Assert.Equal(new[] { "Hard", "Soft", "Rkd" }, new[] { result.Terms[0].Name, result.Terms[1].Name, result.Terms[2].Name });
        var sum = 0.0;
        foreach (var term in result.Terms)
        {
            Assert.Equal(term.Weight * term.Raw.item<double>(), term.Weighted.item<double>(), 12);
            sum += term.Weighted.item<double>();
        }
        Assert.Equal(sum, result.Total.item<double>(), 12);
        Assert.Equal(0.9, result["Soft"].Weight);
        Assert.Empty(result.Total.shape);
    }

    [Fact]
    public void Unknown_term_lists_the_terms()
    {
        using var result = IrInterpreter.Evaluate(TestData.Distillation(), TestData.DistillationInputs());
        var e = Assert.Throws<KeyNotFoundException>(() => result["Kd"]);
        Assert.Contains("'Kd'", e.Message);
        Assert.Contains("Hard, Soft, Rkd", e.Message);
    }

    [Fact]
    public void Gradients_flow_to_inputs_except_frozen_ones()
    {
        var inputs = TestData.DistillationInputs();
        foreach (var name in new[] { "student", "teacher", "s", "t" }) inputs[name].requires_grad_();
        using var result = IrInterpreter.Evaluate(TestData.Distillation(), inputs);
        result.Total.backward();
        Assert.NotNull(inputs["student"].grad);
        Assert.NotNull(inputs["teacher"].grad);
        Assert.NotNull(inputs["s"].grad);
        Assert.Null(inputs["t"].grad);   // Frozen(t)
    }

    [Fact]
    public void Float32_inputs_give_float32_results()
    {
        var z = TestData.Randn(1, 8, 4).to(torch.float32);
        var ir = new NtXent { Temperature = 0.1 }.Trace();
        using var result = IrInterpreter.Evaluate(ir, new Dictionary<string, torch.Tensor> { ["z"] = z, ["y"] = torch.arange(8) % 3 });
        Assert.Equal(torch.float32, result.Total.dtype);
    }

    [Fact]
    public void Shared_roots_and_input_roots_get_their_own_handles()
    {
        var x = torch.tensor(3.0, torch.float64);
        var ir = Traced.Of(("A", 1.0, Real.Input("x")), ("B", 2.0, Real.Input("x")));
        var result = IrInterpreter.Evaluate(ir, new Dictionary<string, torch.Tensor> { ["x"] = x });
        Assert.Equal(9.0, result.Total.item<double>());
        result.Dispose();
        Assert.False(x.IsInvalid);   // the caller's tensor survives
        Assert.Equal(3.0, x.item<double>());
    }

    [Fact]
    public void Intermediates_are_disposed_and_only_results_survive()
    {
        var inputs = TestData.DistillationInputs();
        // Dispose scopes are per thread, so this count is immune to tests running in parallel.
        using var outer = torch.NewDisposeScope();
        var result = IrInterpreter.Evaluate(TestData.Distillation(), inputs);
        Assert.Equal(1 + 2 * 3, outer.DisposablesCount);   // total + raw and weighted per term
        result.Dispose();
        Assert.Equal(0, outer.DisposablesCount);
    }

    [Fact]
    public void Hypers_fold_with_CSharp_int_arithmetic_and_defaults()
    {
        // x · (T / 2) with T an int hyper: 5 / 2 = 2, 7 / 2 = 3.
        var b = new IrBuilder();
        var body = Expr.Of(OpCode.Mul, ValueKind.Real, Expr.Input("x", ValueKind.Real),
            Expr.Number(OpCode.Div, NumericType.Int, Expr.Hyper("T", NumericType.Int), Expr.Const(2, NumericType.Int)));
        b.AddHyper(new IrHyper("T", NumericType.Int, 5));
        b.AddTerm("Scaled", 1.0, body, "");
        var ir = b.Build();
        var inputs = new Dictionary<string, torch.Tensor> { ["x"] = torch.tensor(1.5, torch.float64) };

        using (var byDefault = IrInterpreter.Evaluate(ir, inputs)) Assert.Equal(3.0, byDefault.Total.item<double>());
        using (var set = IrInterpreter.Evaluate(ir, inputs, new Dictionary<string, double> { ["T"] = 7 })) Assert.Equal(4.5, set.Total.item<double>());
        var e = Assert.Throws<ArgumentException>(() => IrInterpreter.Evaluate(ir, inputs, new Dictionary<string, double> { ["Tau"] = 1 }));
        Assert.Contains("'Tau'", e.Message);
    }

    [Fact]
    public void InterpretedLoss_exposes_the_IR_and_computes()
    {
        var ir = new HintonKd { T = 4 }.Trace();
        ILoss loss = new InterpretedLoss("HintonKd", ir);
        // Inputs follow the term's signature, Kd(Logits student, Logits teacher), not the order KL reads them.
        Assert.Equal(new[] { "student", "teacher" }, new[] { loss.Inputs[0].Name, loss.Inputs[1].Name });
        Assert.Same(ir, loss.Trace());
        Assert.Contains("Kd (weight 1) = ", loss.Describe());
        var inputs = new Dictionary<string, torch.Tensor> { ["student"] = TestData.Randn(1, 4, 3), ["teacher"] = TestData.Randn(2, 4, 3) };
        using var result = loss.Compute(inputs);
        Assert.True(result.Total.item<double>() > 0);
        Assert.Equal("HintonKd", Assert.Throws<LossInputException>(() => loss.Compute(new Dictionary<string, torch.Tensor>())).Loss);
    }
}
