using System;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

public static partial class Ops
{
    // + − · / between tensors, host numbers and triplets (through Scalars: TorchSharp's own operators pass
    // temporary Scalars that a GC can free mid-call). Equal ranks broadcast by position; generated code aligns a
    // lower-rank operand with Align first.

    public static Tensor Add(Tensor a, Tensor b) => Scalars.Add(a, b);
    public static Tensor Add(Tensor a, double b) => Scalars.Add(a, b);
    public static Tensor Add(double a, Tensor b) => Scalars.Add(a, b);
    public static Tensor Sub(Tensor a, Tensor b) => Scalars.Sub(a, b);
    public static Tensor Sub(Tensor a, double b) => Scalars.Sub(a, b);
    public static Tensor Sub(double a, Tensor b) => Scalars.Sub(a, b);
    public static Tensor Mul(Tensor a, Tensor b) => Scalars.Mul(a, b);
    public static Tensor Mul(Tensor a, double b) => Scalars.Mul(a, b);
    public static Tensor Mul(double a, Tensor b) => Scalars.Mul(a, b);
    public static Tensor Div(Tensor a, Tensor b) => Scalars.Div(a, b);
    public static Tensor Div(Tensor a, double b) => Scalars.Div(a, b);
    public static Tensor Div(double a, Tensor b) => Scalars.Div(a, b);
    public static Tensor Neg(Tensor a) => a.neg();

    public static TripletTensor Add(TripletTensor a, TripletTensor b) => a + b;
    public static TripletTensor Add(TripletTensor a, Tensor b) => a + b;
    public static TripletTensor Add(Tensor a, TripletTensor b) => a + b;
    public static TripletTensor Add(TripletTensor a, double b) => a + b;
    public static TripletTensor Add(double a, TripletTensor b) => a + b;
    public static TripletTensor Sub(TripletTensor a, TripletTensor b) => a - b;
    public static TripletTensor Sub(TripletTensor a, Tensor b) => a - b;
    public static TripletTensor Sub(Tensor a, TripletTensor b) => a - b;
    public static TripletTensor Sub(TripletTensor a, double b) => a - b;
    public static TripletTensor Sub(double a, TripletTensor b) => a - b;
    public static TripletTensor Mul(TripletTensor a, TripletTensor b) => a * b;
    public static TripletTensor Mul(TripletTensor a, Tensor b) => a * b;
    public static TripletTensor Mul(Tensor a, TripletTensor b) => a * b;
    public static TripletTensor Mul(TripletTensor a, double b) => a * b;
    public static TripletTensor Mul(double a, TripletTensor b) => a * b;
    public static TripletTensor Div(TripletTensor a, TripletTensor b) => a / b;
    public static TripletTensor Div(TripletTensor a, Tensor b) => a / b;
    public static TripletTensor Div(Tensor a, TripletTensor b) => a / b;
    public static TripletTensor Div(TripletTensor a, double b) => a / b;
    public static TripletTensor Div(double a, TripletTensor b) => a / b;
    public static TripletTensor Neg(TripletTensor a) => -a;

    /// <summary>Places axis d of <paramref name="t"/> at axis <paramref name="map"/>[d] of a value with
    /// <paramref name="rank"/> axes (size 1 elsewhere), so it broadcasts against that value: a per-row vector
    /// <c>[N]</c> against a relation becomes <c>[N, 1]</c>; <c>[B, D]</c> against <c>[B, K, D]</c> becomes <c>[B, 1, D]</c>.</summary>
    /// <exception cref="ArgumentException">The map does not fit the tensor.</exception>
    public static Tensor Align(Tensor t, int[] map, int rank)
    {
        if (map.Length != t.dim() || map.Any(m => m < 0 || m >= rank) || map.Distinct().Count() != map.Length)
            throw new ArgumentException($"Cannot align a tensor of shape [{string.Join(", ", t.shape)}] to axes [{string.Join(", ", map)}] of {rank}.");
        // Order the axes by destination, then insert the missing ones.
        var order = Enumerable.Range(0, map.Length).OrderBy(d => map[d]).ToArray();
        var result = order.SequenceEqual(Enumerable.Range(0, map.Length)) ? t : t.permute(order.Select(o => (long)o).ToArray());
        var present = map.OrderBy(m => m).ToArray();
        for (var position = 0; position < rank; position++)
            if (Array.IndexOf(present, position) < 0) result = result.unsqueeze(position);
        return result;
    }
}
