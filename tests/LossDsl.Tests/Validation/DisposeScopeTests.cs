using LossDsl.Examples.Distillation;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Validation;

/// <summary>Generated <c>Compute</c> opens one dispose scope per call: only the results (total, and each
/// term's raw and weighted value) reach the caller's scope; every intermediate tensor is freed.</summary>
public class DisposeScopeTests
{
    [Fact]
    public void Only_the_results_leave_Compute()
    {
        var student = randn(6, 10, dtype: ScalarType.Float64).requires_grad_();
        var teacher = randn(6, 10, dtype: ScalarType.Float64);
        var studentFeatures = randn(6, 4, dtype: ScalarType.Float64).requires_grad_();
        var teacherFeatures = randn(6, 9, dtype: ScalarType.Float64);
        var labels = randint(0, 10, new long[] { 6 }, dtype: ScalarType.Int64);

        using var outer = NewDisposeScope();
        var before = outer.DisposablesCount;
        var result = new StudentKdRkd().Compute(student, labels, teacher, studentFeatures, teacherFeatures);
        // 3 terms: a raw and a weighted value each, plus the total.
        Assert.Equal(before + 7, outer.DisposablesCount);

        result.Total.backward();   // the autograd graph outlives the freed intermediates
        Assert.False(student.grad!.isnan().any().item<bool>());
        result.Dispose();
        Assert.True(result.Total.IsInvalid);
        Assert.False(student.IsInvalid);   // inputs belong to the caller
    }
}
