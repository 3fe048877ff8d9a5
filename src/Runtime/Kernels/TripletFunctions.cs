using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Runtime.Kernels;

/// <summary>RKD angle as a TorchSharp autograd function over <see cref="TripletEngine.RkdAngle{T}"/>: the forward
/// computes the loss and (when the student needs it) its gradient in the same pass, the backward scales that
/// gradient by the incoming one. The teacher gets no gradient. CPU float32/float64.</summary>
public sealed class RkdAngleFunction : autograd.SingleTensorFunction<RkdAngleFunction>
{
    public override string Name => "LossDsl.RkdAngle";

    /// <summary><c>mean_{i,j,k} smoothL1(⟨e_ij, e_ik⟩ − ⟨t_ij, t_ik⟩)</c> for student [N, D] and teacher [N, Dt].</summary>
    public static Tensor Apply(Tensor student, Tensor teacher)
    {
        TensorIo.CheckMatrix(student, "student");
        TensorIo.CheckMatrix(teacher, "teacher");
        if (student.shape[0] != teacher.shape[0]) throw new ArgumentException($"student has {student.shape[0]} rows, teacher {teacher.shape[0]}.");
        return apply(student, teacher.detach());
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var s = ((Tensor)vars[0]).detach().cpu().contiguous();
        var t = ((Tensor)vars[1]).to_type(s.dtype).cpu().contiguous();
        int n = (int)s.shape[0], d = (int)s.shape[1], dt = (int)t.shape[1];
        var grad = ((Tensor)vars[0]).requires_grad ? GradientBuffers.Zeros(s) : null;
        double loss = s.dtype == ScalarType.Float32
            ? TripletEngine.RkdAngle<float>(TensorIo.Span<float>(s), d, TensorIo.Span<float>(t), dt, n, grad is null ? default : TensorIo.Span<float>(grad))
            : TripletEngine.RkdAngle<double>(TensorIo.Span<double>(s), d, TensorIo.Span<double>(t), dt, n, grad is null ? default : TensorIo.Span<double>(grad));
        if (grad is not null) ctx.save_for_backward(new List<Tensor> { grad });
        return tensor(loss, s.dtype);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        var grad = saved.Count > 0 ? saved[0].mul(grad_output.to_type(saved[0].dtype)) : null;
        return new List<Tensor> { grad!, null! };
    }
}

/// <summary>pytorch-metric-learning's all-triplets <c>TripletMarginLoss</c> (AvgNonZero) as an autograd function
/// over <see cref="TripletEngine.TripletMarginAll{T}"/>: z [N, D] (normalise first for the library's default),
/// labels [N]. Gradient computed with the value, scaled in the backward pass.</summary>
public sealed class TripletMarginFunction : autograd.SingleTensorFunction<TripletMarginFunction>
{
    public override string Name => "LossDsl.TripletMarginAll";

    public static Tensor Apply(Tensor z, Tensor labels, double margin)
    {
        TensorIo.CheckMatrix(z, "z");
        return apply(z, TensorIo.Labels(labels, z.shape[0], "labels"), margin);
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var z = ((Tensor)vars[0]).detach().cpu().contiguous();
        var labels = (long[])vars[1];
        var margin = (double)vars[2];
        int n = (int)z.shape[0], d = (int)z.shape[1];
        var grad = ((Tensor)vars[0]).requires_grad ? GradientBuffers.Zeros(z) : null;
        var (loss, _) = z.dtype == ScalarType.Float32
            ? TripletEngine.TripletMarginAll<float>(TensorIo.Span<float>(z), n, d, labels, margin, grad is null ? default : TensorIo.Span<float>(grad))
            : TripletEngine.TripletMarginAll<double>(TensorIo.Span<double>(z), n, d, labels, margin, grad is null ? default : TensorIo.Span<double>(grad));
        if (grad is not null) ctx.save_for_backward(new List<Tensor> { grad });
        return tensor(loss, z.dtype);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        var grad = saved.Count > 0 ? saved[0].mul(grad_output.to_type(saved[0].dtype)) : null;
        return new List<Tensor> { grad!, null!, null! };
    }
}
