using System;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>A value per (anchor, positive, negative) triplet, <c>[N, N, N]</c>, with the boolean mask
/// of the selected triplets. Arithmetic changes the values; combining two triplet tensors keeps the
/// triplets both select.</summary>
public sealed class TripletTensor
{
    /// <summary>Pairs <paramref name="values"/> <c>[N, N, N]</c> with the boolean <paramref name="mask"/> of the same shape.</summary>
    public TripletTensor(Tensor values, Tensor mask)
    {
        Values = values ?? throw new ArgumentNullException(nameof(values));
        Mask = mask ?? throw new ArgumentNullException(nameof(mask));
        if (mask.dtype != ScalarType.Bool)
            throw new ArgumentException($"A triplet mask must be Bool, got {mask.dtype}.", nameof(mask));
    }

    /// <summary><c>t[a, p, n]</c> for every triplet, selected or not.</summary>
    public Tensor Values { get; }

    /// <summary>Which triplets are selected: Bool, the shape of <see cref="Values"/>.</summary>
    public Tensor Mask { get; }

    /// <summary>The same selection with <paramref name="f"/> applied to the values.</summary>
    public TripletTensor Map(Func<Tensor, Tensor> f) => new(f(Values), Mask);

    /// <summary>The same values with a narrower selection.</summary>
    public TripletTensor Keep(Tensor mask) => new(Values, Mask.logical_and(mask));

    /// <summary>The element-wise sum of the values, over the triplets both select.</summary>
    public static TripletTensor operator +(TripletTensor a, TripletTensor b) => new(Scalars.Add(a.Values, b.Values), a.Mask.logical_and(b.Mask));
    /// <summary>The element-wise difference of the values, over the triplets both select.</summary>
    public static TripletTensor operator -(TripletTensor a, TripletTensor b) => new(Scalars.Sub(a.Values, b.Values), a.Mask.logical_and(b.Mask));
    /// <summary>The element-wise product of the values, over the triplets both select.</summary>
    public static TripletTensor operator *(TripletTensor a, TripletTensor b) => new(Scalars.Mul(a.Values, b.Values), a.Mask.logical_and(b.Mask));
    /// <summary>The element-wise quotient of the values, over the triplets both select.</summary>
    public static TripletTensor operator /(TripletTensor a, TripletTensor b) => new(Scalars.Div(a.Values, b.Values), a.Mask.logical_and(b.Mask));

    /// <summary>The element-wise sum of the values and a 0-d tensor; the selection is kept.</summary>
    public static TripletTensor operator +(TripletTensor a, Tensor b) => a.Map(v => Scalars.Add(v, b));
    /// <summary>The element-wise difference of the values and a 0-d tensor; the selection is kept.</summary>
    public static TripletTensor operator -(TripletTensor a, Tensor b) => a.Map(v => Scalars.Sub(v, b));
    /// <summary>The element-wise product of the values and a 0-d tensor; the selection is kept.</summary>
    public static TripletTensor operator *(TripletTensor a, Tensor b) => a.Map(v => Scalars.Mul(v, b));
    /// <summary>The element-wise quotient of the values and a 0-d tensor; the selection is kept.</summary>
    public static TripletTensor operator /(TripletTensor a, Tensor b) => a.Map(v => Scalars.Div(v, b));

    /// <summary>The element-wise sum of a 0-d tensor and the values; the selection is kept.</summary>
    public static TripletTensor operator +(Tensor a, TripletTensor b) => b.Map(v => Scalars.Add(a, v));
    /// <summary>The element-wise difference of a 0-d tensor and the values; the selection is kept.</summary>
    public static TripletTensor operator -(Tensor a, TripletTensor b) => b.Map(v => Scalars.Sub(a, v));
    /// <summary>The element-wise product of a 0-d tensor and the values; the selection is kept.</summary>
    public static TripletTensor operator *(Tensor a, TripletTensor b) => b.Map(v => Scalars.Mul(a, v));
    /// <summary>The element-wise quotient of a 0-d tensor and the values; the selection is kept.</summary>
    public static TripletTensor operator /(Tensor a, TripletTensor b) => b.Map(v => Scalars.Div(a, v));

    /// <summary>The element-wise sum of the values and a number; the selection is kept.</summary>
    public static TripletTensor operator +(TripletTensor a, double b) => a.Map(v => Scalars.Add(v, b));
    /// <summary>The element-wise difference of the values and a number; the selection is kept.</summary>
    public static TripletTensor operator -(TripletTensor a, double b) => a.Map(v => Scalars.Sub(v, b));
    /// <summary>The element-wise product of the values and a number; the selection is kept.</summary>
    public static TripletTensor operator *(TripletTensor a, double b) => a.Map(v => Scalars.Mul(v, b));
    /// <summary>The element-wise quotient of the values and a number; the selection is kept.</summary>
    public static TripletTensor operator /(TripletTensor a, double b) => a.Map(v => Scalars.Div(v, b));

    /// <summary>The element-wise sum of a number and the values; the selection is kept.</summary>
    public static TripletTensor operator +(double a, TripletTensor b) => b.Map(v => Scalars.Add(a, v));
    /// <summary>The element-wise difference of a number and the values; the selection is kept.</summary>
    public static TripletTensor operator -(double a, TripletTensor b) => b.Map(v => Scalars.Sub(a, v));
    /// <summary>The element-wise product of a number and the values; the selection is kept.</summary>
    public static TripletTensor operator *(double a, TripletTensor b) => b.Map(v => Scalars.Mul(a, v));
    /// <summary>The element-wise quotient of a number and the values; the selection is kept.</summary>
    public static TripletTensor operator /(double a, TripletTensor b) => b.Map(v => Scalars.Div(a, v));

    /// <summary>The negated values; the selection is kept.</summary>
    public static TripletTensor operator -(TripletTensor a) => a.Map(v => -v);
}
