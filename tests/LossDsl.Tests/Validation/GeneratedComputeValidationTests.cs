using LossDsl.Examples.Distillation;
using LossDsl.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Validation;

/// <summary>What compile time cannot check, the generated <c>Compute</c> checks before computing:
/// the messages name the loss, the term, the input, the expected symbolic shape and the actual one.</summary>
public class GeneratedComputeValidationTests
{
    private static Tensor Logits(long n, long c) => randn(n, c, dtype: ScalarType.Float64);
    private static Tensor Features(long n, long d) => randn(n, d, dtype: ScalarType.Float64);
    private static Tensor Labels(long n, long c) => randint(0, c, new[] { n }, dtype: ScalarType.Int64);

    private static LossInputException Fails(Tensor student, Tensor y, Tensor teacher, Tensor sf, Tensor tf) =>
        Assert.Throws<LossInputException>(() => new StudentKdRkd().Compute(student, y, teacher, sf, tf));

    [Fact]
    public void Valid_inputs_compute()
    {
        using var result = new StudentKdRkd().Compute(Logits(6, 10), Labels(6, 10), Logits(6, 10), Features(6, 4), Features(6, 9));
        Assert.Equal(3, result.Terms.Count);
        Assert.True(double.IsFinite(result.Total.item<double>()));
    }

    [Fact]
    public void Class_count_mismatch_names_the_KL_term_and_both_inputs()
    {
        var error = Fails(Logits(6, 10), Labels(6, 10), Logits(6, 7), Features(6, 4), Features(6, 9));
        Assert.Equal("Soft", error.Term);
        Assert.Equal("teacher", error.Input);
        Assert.Contains("StudentKdRkd: term 'Soft', input 'teacher' (Logits)", error.Message);
        Assert.Contains("[N, C_student] = [6, 10]", error.Message);
        Assert.Contains("[6, 7]", error.Message);
        Assert.Contains("comes from input 'student' (KL in term 'Soft' needs them equal)", error.Message);
    }

    [Fact]
    public void Batch_mismatch_names_the_input_and_shapes()
    {
        var error = Fails(Logits(6, 10), Labels(6, 10), Logits(6, 10), Features(5, 4), Features(6, 9));
        Assert.Equal("studentFeatures", error.Input);
        Assert.Equal("Rkd", error.Term);
        Assert.Contains("[N, D_studentFeatures] = [6, ?]", error.Message);
        Assert.Contains("[5, 4]", error.Message);
    }

    [Fact]
    public void Float_labels_are_rejected_with_the_dtype()
    {
        var error = Fails(Logits(6, 10), Labels(6, 10).to_type(ScalarType.Float32), Logits(6, 10), Features(6, 4), Features(6, 9));
        Assert.Equal("y", error.Input);
        Assert.Equal("Hard", error.Term);
        Assert.Contains("Float32", error.Message);
    }

    [Fact]
    public void Labels_out_of_class_range_are_rejected_with_the_bound()
    {
        var labels = tensor(new long[] { 0, 1, 2, 3, 4, 10 });
        var error = Fails(Logits(6, 10), labels, Logits(6, 10), Features(6, 4), Features(6, 9));
        Assert.Equal("y", error.Input);
        Assert.Contains("[0, C_student) = [0, 10)", error.Message);
        Assert.Contains("label 10 at index 5", error.Message);
    }

    [Fact]
    public void Wrong_rank_is_rejected()
    {
        var error = Fails(Logits(6, 10), Labels(6, 10), Logits(6, 10), Features(6, 4).reshape(6, 2, 2), Features(6, 9));
        Assert.Equal("studentFeatures", error.Input);
        Assert.Contains("rank 2", error.Message);
    }

    [Fact]
    public void A_missing_named_input_lists_the_given_names()
    {
        var inputs = new System.Collections.Generic.Dictionary<string, Tensor> { ["student"] = Logits(6, 10) };
        var error = Assert.Throws<LossInputException>(() => new StudentKd().Compute(inputs));
        Assert.Equal("y", error.Input);
        Assert.Contains("'student'", error.Message);
    }
}
