using System;
using LossDsl.Ir;
using LossDsl.Runtime;
using TorchSharp;

namespace LossDsl.Tests.Runtime;

public sealed class InputValidatorTests
{
    private static LossInputException Fails(Action<System.Collections.Generic.Dictionary<string, torch.Tensor>> change)
    {
        var inputs = TestData.DistillationInputs();
        change(inputs);
        return Assert.Throws<LossInputException>(() => IrInterpreter.Evaluate(TestData.Distillation(), inputs, lossName: "Distillation"));
    }

    [Fact]
    public void Batch_mismatch_names_term_input_shapes_and_the_binding_input()
    {
        var e = Fails(i => i["y"] = torch.arange(10, torch.int64));
        Assert.Contains("Distillation: term 'Hard', input 'y' (Labels): expected shape [N] = [12], got [10].", e.Message);
        Assert.Contains("N = 12 comes from input 'student'", e.Message);
        Assert.Equal(("Distillation", "Hard", "y", "[N] = [12]", "[10]"), (e.Loss, e.Term, e.Input, e.Expected, e.Actual));
    }

    [Fact]
    public void Feature_dimension_tied_by_an_operation_reports_the_operation()
    {
        var e = Fails(i => i["teacher"] = TestData.Randn(5, 12, 7));
        Assert.Contains("Distillation: term 'Soft', input 'teacher' (Logits): expected shape [N, C_student] = [12, 10], got [12, 7]. "
            + "C_student = 10 comes from input 'student' (KL in term 'Soft' needs them equal).", e.Message);
        Assert.Equal("[12, 7]", e.Actual);
    }

    [Fact]
    public void Float_labels_are_rejected_with_the_dtypes_and_shapes()
    {
        var e = Fails(i => i["y"] = i["y"].to(torch.float32));
        Assert.Contains("term 'Hard', input 'y' (Labels): expected an Int64 or Int32 tensor of shape [N] = [12], got a Float32 tensor of shape [12].", e.Message);
        Assert.Equal(("Int64 or Int32", "Float32"), (e.Expected, e.Actual));
    }

    [Fact]
    public void Integer_embeddings_are_rejected()
    {
        var e = Fails(i => i["s"] = torch.ones(12, 5, torch.int64));
        Assert.Contains("input 's' (Embeddings): expected a floating-point tensor of shape [N, D_s] = [12, 5], got an Int64 tensor of shape [12, 5].", e.Message);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(-1)]
    public void Labels_out_of_range_name_the_label_the_index_and_the_class_count(long bad)
    {
        var e = Fails(i => i["y"][3] = torch.tensor(bad));
        Assert.Contains($"term 'Hard', input 'y' (Labels): expected class indices in [0, C_student) = [0, 10) for shape [N] = [12], "
            + $"got label {bad} at index 3 (shape [12]). C_student = 10 comes from input 'student'.", e.Message);
        Assert.Equal($"{bad} at index 3", e.Actual);
    }

    [Fact]
    public void Missing_input_is_named_with_its_expected_shape()
    {
        var e = Fails(i => i.Remove("t"));
        Assert.Contains("Distillation: term 'Rkd', input 't' (Embeddings): expected shape [N, D_t] = [12, ?], got no tensor. The input is missing (given: 'student', 'y', 'teacher', 's').", e.Message);
        Assert.Equal(("t", "missing"), (e.Input, e.Actual));
    }

    [Fact]
    public void Null_input_is_reported_like_a_missing_one()
    {
        var e = Fails(i => i["s"] = null!);
        Assert.Contains("term 'Rkd', input 's' (Embeddings): expected shape [N, D_s] = [12, ?], got null.", e.Message);
    }

    [Fact]
    public void Wrong_rank_is_reported()
    {
        var e = Fails(i => i["s"] = TestData.Randn(6, 12));
        Assert.Contains("input 's' (Embeddings): expected shape [N, D_s] = [12, ?], got [12]. The input must have rank 2, not 1.", e.Message);
    }

    [Fact]
    public void The_first_input_in_plan_order_binds_a_symbol()
    {
        // The student (first in plan order) binds C; the teacher is the one reported.
        var e = Fails(i => i["student"] = TestData.Randn(7, 12, 7));
        Assert.Equal("teacher", e.Input);
        Assert.Equal("[12, 10]", e.Actual);
    }

    [Fact]
    public void Valid_inputs_bind_every_symbol_and_accept_int32_labels()
    {
        var ir = TestData.Distillation();
        var inputs = TestData.DistillationInputs();
        inputs["y"] = inputs["y"].to(torch.int32);
        var plan = TypeInference.Infer(ir).Plan;
        var shapes = InputValidator.Validate("Distillation", plan,
            new[] { ("student", inputs["student"]), ("y", inputs["y"]), ("teacher", inputs["teacher"]), ("s", inputs["s"]), ("t", inputs["t"]) });
        Assert.Equal(12, shapes["N"]);
        Assert.Equal(5, shapes["D_s"]);
        Assert.Equal(7, shapes["D_t"]);
        Assert.Equal(DeviceType.CPU, shapes.Device.type);
        var unbound = Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => shapes["D_x"]);
        Assert.Contains("D_s = 5", unbound.Message);
    }

    [Fact]
    public void Require_names_the_missing_input_and_the_given_ones()
    {
        var e = Assert.Throws<LossInputException>(() =>
            InputValidator.Require(new System.Collections.Generic.Dictionary<string, torch.Tensor> { ["z"] = torch.zeros(1) }, "NtXent", "y", "Contrast"));
        Assert.Equal("NtXent: term 'Contrast', input 'y': expected a tensor, got none. The input is missing (given: 'z').", e.Message);
    }
}
