extern alias LossDslGenerator;
using System;
using System.Collections.Generic;
using System.Linq;
using LossDslGenerator::LossDsl.Generators.Fusion;
using LossDsl.Runtime.Kernels;
using static LossDslGenerator::LossDsl.Generators.Fusion.PairFormula;

namespace LossDsl.Tests.Fusion;

/// <summary>The per-pair formula language the generated structs are derived from: derivatives, simplification,
/// printing as engine code and as notation, and the partials a region hands the engine.</summary>
public class PairFormulaTests
{
    private static readonly Symbol S = FormulaSymbols.S;
    private static readonly Symbol Tau = FormulaSymbols.Number("Temperature");
    private static readonly Symbol R0 = FormulaSymbols.Rows[0];

    [Fact]
    public void Derivative_of_a_scaled_relation_is_the_scale()
    {
        var f = S * Tau;
        Assert.Equal(Tau, f.Derivative(S));
        Assert.Equal("M.Mul(p.S, M.Const(Temperature))", f.ToEngine());
        Assert.Equal("s_ij · Temperature", f.ToMath());
    }

    [Fact]
    public void Quotient_rule_simplifies()
    {
        Assert.Equal(One / Tau, (S / Tau).Derivative(S));
        Assert.Equal(-(S / (Tau * Tau)), (S / Tau).Derivative(Tau));
    }

    [Fact]
    public void Atoms_other_than_the_variable_are_constants()
    {
        Assert.Equal(Zero, Tau.Derivative(S));
        Assert.Equal(Zero, Const(3).Derivative(S));
        Assert.Equal(Zero, FormulaSymbols.S2.Derivative(S));
    }

    [Fact]
    public void StopGradient_has_no_derivative_and_prints_as_its_argument()
    {
        var f = Apply(UnaryOp.Relu, Const(1.4) - Apply(UnaryOp.StopGradient, S)) * (S - Const(0.6));
        // Only the second factor's s is differentiated: ∂f/∂s = relu(1.4 − sg(s)).
        Assert.Equal(Apply(UnaryOp.Relu, Const(1.4) - Apply(UnaryOp.StopGradient, S)), f.Derivative(S));
        Assert.Equal("M.Relu(M.Sub(M.Const(1.4), p.S))", Apply(UnaryOp.Relu, Const(1.4) - Apply(UnaryOp.StopGradient, S)).ToEngine());
        Assert.Equal("relu(1.4 − sg(s_ij))", Apply(UnaryOp.Relu, Const(1.4) - Apply(UnaryOp.StopGradient, S)).ToMath());
    }

    [Fact]
    public void Simplify_folds_constants_and_identities()
    {
        Assert.Equal(S, (One * S + Zero).Simplify());
        Assert.Equal(Zero, (S * Zero - Zero).Simplify());
        Assert.Equal(S, (-(-S)).Simplify());
        Assert.Equal(One, (S / S).Simplify());
        Assert.Equal(Const(6), (Const(2) * Const(3)).Simplify());
        Assert.Equal(Const(1) / Const(3), (Const(1) / Const(3)).Simplify());   // kept exact
        Assert.Equal(Exp(S - Tau), (Exp(S) / Exp(Tau)).Simplify());
        Assert.Equal(S, Log(Exp(S)).Simplify());
        Assert.Equal(S, ((S * Tau) / Tau).Simplify());
        Assert.Equal(Const(6) * S, (Const(2) * (Const(3) * S)).Simplify());
        Assert.Equal(Const(2), Min(Const(2), Const(3)).Simplify());
    }

    [Fact]
    public void Notation_parenthesises_by_precedence()
    {
        Assert.Equal("s_ij − (Temperature − 1)", (S - (Tau - One)).ToMath());
        Assert.Equal("s_ij / (Temperature · 2)", (S / (Tau * Const(2))).ToMath());
        Assert.Equal("−(s_ij + Temperature)", (-(S + Tau)).ToMath());
        Assert.Equal("√(s_ij)", Sqrt(S).ToMath());
        Assert.Equal("min(s_ij, 1)", Min(S, One).ToMath());
        Assert.Equal("M.Min(p.S, M.Const(1.0))", Min(S, One).ToEngine());
        Assert.Equal("M.Softplus(M.Sub(p.R0, p.S))", Apply(UnaryOp.Softplus, R0 - S).ToEngine());
    }

    public static TheoryData<string> Formulas() => new() { "exp", "quotient", "log", "sqrt", "product", "nested", "min", "max" };

    // Every rule against a central difference, on formulas that exercise it.
    [Theory]
    [MemberData(nameof(Formulas))]
    public void Derivative_matches_finite_differences(string name)
    {
        var t = FormulaSymbols.Number("t");
        PairFormula f = name switch
        {
            "exp" => Exp(Tau * S - t),
            "quotient" => (S + t) / (Tau * S + Const(2)),
            "log" => Log(S * S + Tau),
            "sqrt" => Sqrt(S * Tau + Const(3)) - -S,
            "product" => (S - Tau) * (t + S) * Const(-1.5),
            "min" => Min(S * S, Const(2)) + Max(S, t),
            "max" => Max(Tau * S, -S),
            _ => Exp(Log(Tau + S) / Sqrt(S + t)) / (S - -t),
        };
        var values = new Dictionary<PairFormula, double> { [Tau] = 0.7, [t] = 0.3 };
        foreach (var at in new[] { 0.4, 1.3, 2.2 })
        {
            double Value(double s) => f.Evaluate(a => a == S ? s : values[a]);
            const double h = 1e-6;
            var numeric = (Value(at + h) - Value(at - h)) / (2 * h);
            var symbolic = f.Derivative(S).Evaluate(a => a == S ? at : values[a]);
            Assert.True(Math.Abs(numeric - symbolic) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                $"{name} at {at}: symbolic {symbolic} ({f.Derivative(S).ToMath()}) vs numeric {numeric}");
        }
    }

    [Fact]
    public void Derivative_rejects_a_compound_variable() =>
        Assert.Throws<ArgumentException>(() => S.Derivative(Tau * S));

    public static TheoryData<string> Unaries()
    {
        var data = new TheoryData<string>();
        foreach (var op in new[] { UnaryOp.Exp, UnaryOp.Log, UnaryOp.Sqrt, UnaryOp.Softplus, UnaryOp.Sigmoid, UnaryOp.LogSigmoid, UnaryOp.Relu, UnaryOp.Square, UnaryOp.Abs })
            data.Add(op.ToString());
        return data;
    }

    // Each unary, applied to a formula of the relation and a row value: its symbolic derivatives match central
    // differences (away from relu's and abs's kinks, inside log's and √'s domain).
    [Theory]
    [MemberData(nameof(Unaries))]
    public void Unary_derivatives_match_finite_differences(string name)
    {
        var op = Enum.Parse<UnaryOp>(name);
        var inner = op is UnaryOp.Log or UnaryOp.Sqrt ? R0 * R0 + S * S * Tau + Const(4) : R0 - S / Tau;
        var f = Apply(op, inner);
        foreach (var (s, value) in new[] { (0.3, -1.2), (-2.0, 0.7), (5.0, 0.5), (-30.0, 2.0), (40.0, -1.0) })
        {
            double Eval(PairFormula formula, double ss, double vv) =>
                formula.Evaluate(a => a == S ? ss : a == R0 ? vv : a == Tau ? 0.5 : throw new InvalidOperationException(a.ToString()));
            const double h = 1e-6;
            var numericS = (Eval(f, s + h, value) - Eval(f, s - h, value)) / (2 * h);
            var numericValue = (Eval(f, s, value + h) - Eval(f, s, value - h)) / (2 * h);
            Assert.True(Math.Abs(numericS - Eval(f.Derivative(S), s, value)) <= 1e-5 * Math.Max(1, Math.Abs(numericS)), $"{f}: ∂/∂s");
            Assert.True(Math.Abs(numericValue - Eval(f.Derivative(R0), s, value)) <= 1e-5 * Math.Max(1, Math.Abs(numericValue)), $"{f}: ∂/∂r0");
        }
    }

    // The formulas' notation and the engine's IPairMath compute the same stable functions.
    [Fact]
    public void Stable_functions_agree_with_the_engines_scalar_math()
    {
        Assert.Equal(0.0, Unary.Compute(UnaryOp.Softplus, double.NegativeInfinity));
        Assert.Equal(1000.0, Unary.Compute(UnaryOp.Softplus, 1000.0));
        Assert.Equal(-1000.0, Unary.Compute(UnaryOp.LogSigmoid, -1000.0));
        foreach (var a in new[] { -800.0, -30.0, -1.0, 0.0, 2.5, 40.0, 800.0 })
        {
            Assert.Equal(Unary.Compute(UnaryOp.Softplus, a), ScalarMath64.Softplus(a));
            Assert.Equal(Unary.Compute(UnaryOp.Sigmoid, a), ScalarMath64.Sigmoid(a));
            Assert.Equal(Unary.Compute(UnaryOp.LogSigmoid, a), ScalarMath64.LogSigmoid(a));
        }
    }

    [Fact]
    public void A_region_hands_the_engine_the_partials_of_every_leaf_it_reads()
    {
        // NT-Xent's positives: f = softplus(r0_i − s_ij · c0).
        var c0 = FormulaSymbols.Number("c0");
        var math = new RegionDerivation(Apply(UnaryOp.Softplus, R0 - S * c0), rowValues: 1, columnValues: 0);
        Assert.Equal(new[] { "S", "R0" }, math.Partials.Select(p => p.Field));
        Assert.Equal("−(σ(r0_i − s_ij · c0) · c0)", math.Partials[0].Derivative.ToMath());
        Assert.Equal("σ(r0_i − s_ij · c0)", math.Partials[1].Derivative.ToMath());
        Assert.False(math.ReadsSecondRelation);
        Assert.True(new RegionDerivation(S - FormulaSymbols.S2, 0, 0).ReadsSecondRelation);
    }
}
