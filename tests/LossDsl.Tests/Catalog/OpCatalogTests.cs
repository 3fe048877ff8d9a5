using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using LossDsl.Ir;
using LossDsl.Runtime;
using LossDsl.Tests.Equality;

namespace LossDsl.Tests.Catalog;

/// <summary>The operation catalogue is whole: every operation has its notation, a way for users to write it (a
/// DSL method or operator), its runtime op, and is used by at least one loss of the repository, so the
/// repository-wide "generated equals interpreter" test runs its shape rule, emission, interpretation and runtime
/// end to end.</summary>
public class OpCatalogTests
{
    public static TheoryData<OpCode> Ops()
    {
        var data = new TheoryData<OpCode>();
        foreach (var op in Enum.GetValues<OpCode>()) data.Add(op);
        return data;
    }

    private static readonly OpCode[] Leaves = { OpCode.Input, OpCode.Hyper, OpCode.Const };

    /// <summary>Operations users write with a C# operator rather than a DSL method.</summary>
    private static readonly Dictionary<OpCode, string> Operators = new()
    {
        [OpCode.Add] = "op_Addition", [OpCode.Sub] = "op_Subtraction", [OpCode.Mul] = "op_Multiply",
        [OpCode.Div] = "op_Division", [OpCode.Neg] = "op_UnaryNegation", [OpCode.Less] = "op_LessThan",
        [OpCode.LessEq] = "op_LessThanOrEqual", [OpCode.Greater] = "op_GreaterThan", [OpCode.GreaterEq] = "op_GreaterThanOrEqual",
        [OpCode.And] = "op_BitwiseAnd", [OpCode.Or] = "op_BitwiseOr", [OpCode.Not] = "op_LogicalNot",
    };

    [Theory]
    [MemberData(nameof(Ops))]
    public void Every_operation_has_a_notation_that_formats(OpCode op)
    {
        var info = OpCatalog.Get(op);
        Assert.Equal(op, info.Code);
        var arity = Regex.Matches(info.Notation, @"\{(\d+)\}").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1).DefaultIfEmpty(0).Max();
        var text = string.Format(CultureInfo.InvariantCulture, info.Notation, Enumerable.Range(0, arity).Select(i => (object)$"a{i}").ToArray());
        Assert.False(string.IsNullOrWhiteSpace(text));
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Every_operation_can_be_written_in_the_DSL(OpCode op)
    {
        if (Leaves.Contains(op)) return;
        var dsl = typeof(LossAttribute).Assembly;
        var methods = dsl.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly));
        if (Operators.TryGetValue(op, out var name))
            Assert.Contains(methods, m => m.Name == name);
        else
            Assert.Contains(methods, m => m.GetCustomAttribute<DslOpAttribute>()?.Op == op);
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Every_operation_has_its_runtime_op(OpCode op)
    {
        var runtime = OpCatalog.Get(op).Runtime;
        if (Leaves.Contains(op))
        {
            Assert.Null(runtime);
            return;
        }
        Assert.NotNull(runtime);
        Assert.Contains(typeof(Ops).GetMethods(BindingFlags.Public | BindingFlags.Static), m => m.Name == runtime);
    }

    [Fact]
    public void Every_operation_is_used_by_a_loss_of_the_repository()
    {
        // The IR as the generator read it (hyper-parameters as symbols; a trace binds them).
        var used = RepositoryLosses.Types()
            .Select(t => (LossIr)t.GetProperty("Ir", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)
            .SelectMany(ir => ir.Nodes.Select(n => n.Op))
            .ToHashSet();
        var unused = Enum.GetValues<OpCode>().Where(op => !used.Contains(op)).ToList();
        Assert.True(unused.Count == 0, "Used by no loss of the repository (add one to Equality/VocabularyLosses.cs): " + string.Join(", ", unused));
    }

    /// <summary>Ids are part of the contract between a DSL and a generator built apart: never change one.</summary>
    [Fact]
    public void Operation_ids_never_change()
    {
        var expected = new Dictionary<string, int>
        {
            ["Input"] = 1, ["Hyper"] = 2, ["Const"] = 3,
            ["Add"] = 10, ["Sub"] = 11, ["Mul"] = 12, ["Div"] = 13, ["Neg"] = 14, ["Pow"] = 15, ["Minimum"] = 16, ["Maximum"] = 17, ["LogAddExp"] = 18,
            ["Exp"] = 30, ["Log"] = 31, ["Sqrt"] = 32, ["Square"] = 33, ["Abs"] = 34, ["Relu"] = 35, ["Softplus"] = 36, ["Sigmoid"] = 37,
            ["LogSigmoid"] = 38, ["StopGradient"] = 39, ["Cos"] = 40, ["Sin"] = 41, ["Acos"] = 42, ["Clamp"] = 43, ["Log1p"] = 44, ["Tanh"] = 45,
            ["Less"] = 60, ["LessEq"] = 61, ["Greater"] = 62, ["GreaterEq"] = 63, ["Where"] = 64, ["And"] = 65, ["Or"] = 66, ["Not"] = 67,
            ["CountTrue"] = 68, ["AnyTrue"] = 69, ["Valid"] = 70, ["Indicator"] = 71,
            ["Normalize"] = 80, ["Softmax"] = 81, ["LogSoftmax"] = 82, ["RowNorm"] = 83, ["RowDot"] = 84,
            ["RowSum"] = 100, ["RowMean"] = 101, ["RowLogSumExp"] = 102, ["RowMax"] = 103, ["RowMin"] = 104, ["Mean"] = 105, ["Sum"] = 106,
            ["MeanNonZero"] = 107, ["MeanWhere"] = 108, ["SumWhere"] = 109, ["Count"] = 110, ["CountPositive"] = 111,
            ["CrossEntropy"] = 120, ["KL"] = 121, ["Mse"] = 122, ["SmoothL1"] = 123, ["CrossEntropyPerSample"] = 124, ["KLPerSample"] = 125,
            ["WeightedCrossEntropy"] = 126,
            ["Pairwise"] = 140, ["Angles"] = 141, ["MeanNormalized"] = 142, ["Transpose"] = 143, ["PerRow"] = 144, ["PerColumn"] = 145, ["As"] = 146,
            ["SameLabel"] = 160, ["DifferentLabel"] = 161, ["AllPairs"] = 162, ["ExcludeSelf"] = 163, ["Over"] = 164, ["Identity"] = 165,
            ["ClassOf"] = 166, ["OtherView"] = 167, ["HasAny"] = 168,
            ["Pick"] = 180, ["Rows"] = 181, ["Column"] = 182, ["Part"] = 183, ["AtPairs"] = 184, ["Columns"] = 185,
            ["Triplets"] = 200, ["MineHard"] = 201, ["MineSemiHard"] = 202, ["AnchorPositive"] = 203, ["AnchorNegative"] = 204,
            ["Assign"] = 220, ["MatchedRows"] = 221, ["MatchedColumns"] = 222, ["MatchedLabels"] = 223,
            ["MeanOf"] = 300, ["Earlier"] = 301, ["NextRow"] = 302,
            ["Sort"] = 350, ["NextTokenLogProbs"] = 351, ["AssignMany"] = 352, ["PredictedTokens"] = 353,
        };
        var actual = Enum.GetValues<OpCode>().Where(op => expected.ContainsKey(op.ToString())).ToDictionary(op => op.ToString(), op => (int)op);
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
        var ids = Enum.GetValues<OpCode>().Select(op => (int)op).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
