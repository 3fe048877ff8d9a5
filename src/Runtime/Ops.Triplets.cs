using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

public static partial class Ops
{
    /// <summary>Triplet margins <c>t[a, p, n] = r[a, p] − r[a, n]</c> <c>[N, N, N]</c>, selecting
    /// <c>positives[a, p] ∧ negatives[a, n]</c>.</summary>
    public static TripletTensor Triplets(Tensor r, Tensor positives, Tensor negatives) =>
        new(Sub(r.unsqueeze(2), r.unsqueeze(1)), positives.unsqueeze(2).logical_and(negatives.unsqueeze(1)));

    /// <summary><c>r[a, p]</c> for every triplet, <c>[N, N, N]</c>, selecting <c>positives[a, p] ∧ negatives[a, n]</c>.</summary>
    public static TripletTensor AnchorPositive(Tensor r, Tensor positives, Tensor negatives) =>
        new(r.unsqueeze(2).expand(r.shape[0], r.shape[1], r.shape[1]), positives.unsqueeze(2).logical_and(negatives.unsqueeze(1)));

    /// <summary><c>r[a, n]</c> for every triplet, <c>[N, N, N]</c>, selecting <c>positives[a, p] ∧ negatives[a, n]</c>.</summary>
    public static TripletTensor AnchorNegative(Tensor r, Tensor positives, Tensor negatives) =>
        new(r.unsqueeze(1).expand(r.shape[0], r.shape[1], r.shape[1]), positives.unsqueeze(2).logical_and(negatives.unsqueeze(1)));

    /// <summary>Keeps the selected triplets with <c>t ≥ 0</c> (pytorch-metric-learning's "hard"
    /// triplets: <c>d_an ≤ d_ap</c>); the choice is made on detached values. A NaN triplet is kept, so it propagates.</summary>
    public static TripletTensor MineHard(TripletTensor t) => t.Keep(Lt(t.Values.detach(), 0).logical_not());

    /// <summary>Keeps the selected triplets with <c>−margin ≤ t &lt; 0</c> ("semi-hard"); the choice is
    /// made on detached values. A NaN triplet is kept, so it propagates.</summary>
    public static TripletTensor MineSemiHard(TripletTensor t, double margin)
    {
        var v = t.Values.detach();
        return t.Keep(Ge(v, -margin).logical_and(Lt(v, 0)).logical_or(v.isnan()));
    }
}
