extern alias LossDslGenerator;
using System;
using System.Collections.Generic;
using System.Linq;
using LossDslGenerator::LossDsl.Generators.Fusion;
using static LossDslGenerator::LossDsl.Generators.Fusion.PairFormula;

namespace LossDsl.Tests.Fusion;

/// <summary>The per-pair formula language the kernels are derived from: derivatives, simplification,
/// printing, and the calculus of a fused log-sum-exp region.</summary>
public class PairFormulaTests
{
    private static readonly Symbol S = RegionDerivation.Scale;
    private static readonly PairLeaf Dot = PairLeaf.Dot;

    [Fact]
    public void DerivativeOfScaledDot_IsTheScale()
    {
        var f = S * Dot;
        var df = f.Derivative(Dot);
        Assert.Equal(S, df);
        Assert.Equal("scale", df.ToCSharp());
        Assert.Equal("s", df.ToMath());
        Assert.Equal("scale * dot[r]", f.ToCSharp());
        Assert.Equal("s · ⟨x_i, y_j⟩", f.ToMath());
    }

    [Fact]
    public void DerivativeOfDotOverScale_IsOneOverTheScale()
    {
        var df = (Dot / S).Derivative(Dot);
        Assert.Equal(One / S, df);
        Assert.Equal("1.0 / scale", df.ToCSharp());
        // With respect to the scale: −⟨x, y⟩ / s² (the quotient rule, simplified).
        var ds = (Dot / S).Derivative(S);
        Assert.Equal(-(Dot / (S * S)), ds);
    }

    [Fact]
    public void DerivativeOfAnUnscaledDot_IsOne() => Assert.Equal(One, Dot.Derivative(Dot));

    [Fact]
    public void Atoms_OtherThanTheVariable_AreConstants()
    {
        Assert.Equal(Zero, S.Derivative(Dot));
        Assert.Equal(Zero, Const(3).Derivative(Dot));
        Assert.Equal(Zero, PairLeaf.SquaredDistance.Derivative(Dot));
    }

    [Fact]
    public void LogSumExpWeight_IsDerivedAsTheStableSoftmax()
    {
        var math = new RegionDerivation(S * Dot);
        Assert.Equal(Exp(RegionDerivation.F - RegionDerivation.Out), math.ReductionWeight);
        Assert.Equal("global::System.Math.Exp(f - outi)", math.ReductionWeight.ToCSharp());
        Assert.Equal("exp(f_ij − out_i)", math.ReductionWeight.ToMath());
    }

    // The self-relation backward reads each pair as (j, i): row i's symbols become row j's.
    [Fact]
    public void TransposedWeight_ReadsRowJ()
    {
        var math = new RegionDerivation(S * Dot);
        Assert.Equal(Exp(RegionDerivation.F - RegionDerivation.OutJ), math.TransposedWeight);
        Assert.Equal("global::System.Math.Exp(f - outj)", math.TransposedWeight.ToCSharp());
        Assert.Equal(RegionDerivation.GradJ * RegionDerivation.Q * S,
            RegionDerivation.Transpose(RegionDerivation.Grad * RegionDerivation.P * S));
        Assert.Equal(S * Dot, (S * Dot).Substitute(_ => null));
        Assert.Equal(Const(2) * Dot, (S * Dot).Substitute(a => a == S ? Const(2) : null));
    }

    [Fact]
    public void RowGradients_OfAScaledDot_GatherTheOtherRow()
    {
        var math = new RegionDerivation(S * Dot);
        Assert.Equal(new[] { Dot }, math.Leaves);
        Assert.Equal(new[] { new GradientTerm(S, RowOperand.Y) }, math.GradX);
        Assert.Equal(new[] { new GradientTerm(S, RowOperand.X) }, math.GradY);

        var plain = new RegionDerivation(Dot);
        Assert.Equal(new[] { new GradientTerm(One, RowOperand.Y) }, plain.GradX);
    }

    // A later metric adds only its leaf: the chain rule through the leaf's partials does the rest.
    [Fact]
    public void RowGradients_OfAScaledSquaredDistance_FollowFromItsLeafPartials()
    {
        var math = new RegionDerivation(-(S * PairLeaf.SquaredDistance));
        Assert.Equal(2, math.GradX.Count);
        Assert.Equal(new GradientTerm((Const(-2) * S).Simplify(), RowOperand.X), math.GradX[0]);
        Assert.Equal(new GradientTerm((Const(2) * S).Simplify(), RowOperand.Y), math.GradX[1]);
        Assert.Equal("-2.0 * scale", math.GradX[0].Coefficient.ToCSharp());
    }

    [Fact]
    public void Simplify_FoldsConstantsAndIdentities()
    {
        Assert.Equal(S, (One * S + Zero).Simplify());
        Assert.Equal(Zero, (S * Zero - Zero).Simplify());
        Assert.Equal(S, (-(-S)).Simplify());
        Assert.Equal(One, (S / S).Simplify());
        Assert.Equal(Const(6), (Const(2) * Const(3)).Simplify());
        Assert.Equal(Const(1) / Const(3), (Const(1) / Const(3)).Simplify());   // kept exact
        Assert.Equal(Exp(Dot - S), (Exp(Dot) / Exp(S)).Simplify());
        Assert.Equal(Dot, Log(Exp(Dot)).Simplify());
        Assert.Equal(Dot, ((Dot * S) / S).Simplify());
        Assert.Equal(Const(6) * S, (Const(2) * (Const(3) * S)).Simplify());
    }

    [Fact]
    public void Printing_ParenthesisesByPrecedence()
    {
        Assert.Equal("dot[r] - (scale - 1.0)", (Dot - (S - One)).ToCSharp());
        Assert.Equal("dot[r] / (scale * 2.0)", (Dot / (S * Const(2))).ToCSharp());
        Assert.Equal("-(dot[r] + scale)", (-(Dot + S)).ToCSharp());
        Assert.Equal("dot[r] * (-scale)", (Dot * -S).ToCSharp());
        Assert.Equal("(dot[r] + scale) * dot[r]", ((Dot + S) * Dot).ToCSharp());
        Assert.Equal("dot[r] - 0.5", (Dot - Const(0.5)).ToCSharp());
        Assert.Equal("√(⟨x_i, y_j⟩)", Sqrt(Dot).ToMath());
        Assert.Equal("global::System.Math.Log(dot[r])", Log(Dot).ToCSharp());
    }

    public static TheoryData<string> Formulas() => new() { "exp", "quotient", "log", "sqrt", "product", "nested" };

    // Every rule against a central difference, on formulas that exercise it.
    [Theory]
    [MemberData(nameof(Formulas))]
    public void Derivative_MatchesFiniteDifferences(string name)
    {
        var t = new Symbol("t", "t", FormulaScope.Call);
        PairFormula f = name switch
        {
            "exp" => Exp(S * Dot - t),
            "quotient" => (Dot + t) / (S * Dot + Const(2)),
            "log" => Log(Dot * Dot + S),
            "sqrt" => Sqrt(Dot * S + Const(3)) - -Dot,
            "product" => (Dot - S) * (t + Dot) * Const(-1.5),
            _ => Exp(Log(S + Dot) / Sqrt(Dot + t)) / (Dot - -t),
        };
        var values = new Dictionary<PairFormula, double> { [S] = 0.7, [t] = 0.3 };
        foreach (var at in new[] { 0.4, 1.3, 2.2 })
        {
            double Value(double dot) => f.Evaluate(a => a == Dot ? dot : values[a]);
            const double h = 1e-6;
            var numeric = (Value(at + h) - Value(at - h)) / (2 * h);
            var symbolic = f.Derivative(Dot).Evaluate(a => a == Dot ? at : values[a]);
            Assert.True(Math.Abs(numeric - symbolic) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                $"{name} at {at}: symbolic {symbolic} ({f.Derivative(Dot).ToMath()}) vs numeric {numeric}");
        }
    }

    [Fact]
    public void DependsOnPair_SeparatesHoistableCoefficients()
    {
        Assert.False((One / S).DependsOnPair);
        Assert.True((S * Dot).DependsOnPair);
        Assert.True(RegionDerivation.Out.DependsOnRow);
        Assert.False(RegionDerivation.Out.DependsOnPair);
    }

    [Fact]
    public void Derivative_RejectsACompoundVariable() =>
        Assert.Throws<ArgumentException>(() => Dot.Derivative(S * Dot));

    public static TheoryData<string> Unaries()
    {
        var data = new TheoryData<string>();
        foreach (var op in new[] { UnaryOp.Exp, UnaryOp.Log, UnaryOp.Sqrt, UnaryOp.Softplus, UnaryOp.Sigmoid, UnaryOp.LogSigmoid, UnaryOp.Relu, UnaryOp.Square, UnaryOp.Abs })
            data.Add(op.ToString());
        return data;
    }

    // Each unary of a pair sum, applied to a formula of the dot and a row value: its symbolic derivatives
    // match central differences (at points away from relu's and abs's kinks, and inside log's and √'s domain).
    [Theory]
    [MemberData(nameof(Unaries))]
    public void UnaryDerivatives_MatchFiniteDifferences(string name)
    {
        var op = Enum.Parse<UnaryOp>(name);
        var v = FusionPlanner.RowValue(3);
        var c = FusionPlanner.Number(0, "T");
        var inner = op is UnaryOp.Log or UnaryOp.Sqrt ? v * v + Dot * Dot * c + Const(4) : v - Dot / c;
        var f = Apply(op, inner);
        foreach (var (dot, value) in new[] { (0.3, -1.2), (-2.0, 0.7), (5.0, 0.5), (-30.0, 2.0), (40.0, -1.0) })
        {
            double Eval(PairFormula formula, double dd, double vv) =>
                formula.Evaluate(a => a == Dot ? dd : a == v ? vv : a == c ? 0.5 : throw new InvalidOperationException(a.ToString()));
            const double h = 1e-6;
            var numericDot = (Eval(f, dot + h, value) - Eval(f, dot - h, value)) / (2 * h);
            var numericValue = (Eval(f, dot, value + h) - Eval(f, dot, value - h)) / (2 * h);
            var symbolicDot = Eval(f.Derivative(Dot), dot, value);
            var symbolicValue = Eval(f.Derivative(v), dot, value);
            Assert.True(Math.Abs(numericDot - symbolicDot) <= 1e-5 * Math.Max(1, Math.Abs(symbolicDot)), $"{f}: ∂/∂dot {symbolicDot} vs {numericDot}");
            Assert.True(Math.Abs(numericValue - symbolicValue) <= 1e-5 * Math.Max(1, Math.Abs(symbolicValue)), $"{f}: ∂/∂v {symbolicValue} vs {numericValue}");
            Assert.True(double.IsFinite(Eval(f, dot, value)) || op == UnaryOp.Exp);
        }
    }

    [Fact]
    public void StableFunctions_AreFiniteAtExtremes_AndExactAtInfinity()
    {
        double At(UnaryOp op, double a) => Apply(op, Const(a)).Evaluate(_ => 0);
        Assert.Equal(0.0, Unary.Compute(UnaryOp.Softplus, double.NegativeInfinity));
        Assert.Equal(0.0, Unary.Compute(UnaryOp.Sigmoid, double.NegativeInfinity));
        Assert.Equal(1000.0, Unary.Compute(UnaryOp.Softplus, 1000.0));
        Assert.Equal(-1000.0, Unary.Compute(UnaryOp.LogSigmoid, -1000.0));
        Assert.Equal(1.0, Unary.Compute(UnaryOp.Sigmoid, 1000.0));
        Assert.Equal(Math.Log(2), At(UnaryOp.Softplus, 0), 15);
        // The kernels print the runtime's stable forms, and the two agree.
        Assert.Equal("global::LossDsl.Runtime.Fused.PairMath.Softplus(v3_i - dot[r])", Apply(UnaryOp.Softplus, FusionPlanner.RowValue(3) - Dot).ToCSharp());
        Assert.Equal("softplus(v3_i − ⟨x_i, y_j⟩)", Apply(UnaryOp.Softplus, FusionPlanner.RowValue(3) - Dot).ToMath());
        foreach (var a in new[] { -800.0, -30.0, -1.0, 0.0, 2.5, 40.0, 800.0 })
        {
            Assert.Equal(Unary.Compute(UnaryOp.Softplus, a), LossDsl.Runtime.Fused.PairMath.Softplus(a));
            Assert.Equal(Unary.Compute(UnaryOp.Sigmoid, a), LossDsl.Runtime.Fused.PairMath.Sigmoid(a));
            Assert.Equal(Unary.Compute(UnaryOp.LogSigmoid, a), LossDsl.Runtime.Fused.PairMath.LogSigmoid(a));
        }
    }
}
