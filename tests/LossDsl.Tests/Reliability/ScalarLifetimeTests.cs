using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using LossDsl.Runtime;
using TorchSharp;

namespace LossDsl.Tests.Reliability;

/// <summary>No number may reach libtorch through a temporary TorchSharp <c>Scalar</c>: its finalizer can free
/// the native value while the call still reads it (see <see cref="GcDuringComputeTests"/>). Such a temporary is
/// made by <c>Scalar.op_Implicit</c> or <c>ToScalar</c>, either in our code or inside a TorchSharp convenience
/// overload (<c>t + 2.0</c>, <c>masked_fill(m, 0)</c>). This test reads the IL of the runtime (zoo included) and
/// of every generated loss in the tests, follows each call into TorchSharp, and fails on any call that makes
/// such a temporary outside <see cref="Scalars"/>, the one place that keeps each Scalar alive across its call.</summary>
public class ScalarLifetimeTests
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Everything =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void Only_Scalars_converts_numbers_to_TorchSharp_Scalars()
    {
        var runtime = typeof(Scalars).Assembly.GetTypes().Where(t => Outer(t) != typeof(Scalars));
        var generated = typeof(ScalarLifetimeTests).Assembly.GetTypes().Where(t => typeof(ILoss).IsAssignableFrom(Outer(t)));
        var offenders = runtime.Concat(generated).SelectMany(TemporaryScalarSites).ToList();
        Assert.True(offenders.Count == 0,
            "Numbers reach libtorch through a temporary TorchSharp Scalar (use LossDsl.Runtime.Scalars):\n" + string.Join("\n", offenders));
    }

    /// <summary>The scan finds what it must: code written the unsafe way is reported, the safe way is not.</summary>
    [Fact]
    public void The_scan_finds_temporary_scalars_and_only_those()
    {
        var sites = TemporaryScalarSites(typeof(Samples)).ToList();
        Assert.Contains(sites, s => s.Contains(nameof(Samples.OperatorWithDouble)));
        Assert.Contains(sites, s => s.Contains(nameof(Samples.MaskedFillWithDouble)));
        Assert.Contains(sites, s => s.Contains(nameof(Samples.ExplicitImplicit)));
        Assert.Contains(sites, s => s.Contains(nameof(Samples.TensorAdd)));   // its alpha = 1 is a temporary Scalar
        Assert.DoesNotContain(sites, s => s.Contains(nameof(Samples.TensorOnly)));
        Assert.DoesNotContain(sites, s => s.Contains(nameof(Samples.ThroughScalars)));
    }

    private static class Samples
    {
        public static torch.Tensor OperatorWithDouble(torch.Tensor t) => t + 2.0;
        public static torch.Tensor MaskedFillWithDouble(torch.Tensor t, torch.Tensor m) => t.masked_fill(m, 0.0);
        public static torch.Tensor ExplicitImplicit(torch.Tensor t) { Scalar s = 2.0; return t.mul(s); }
        public static torch.Tensor TensorOnly(torch.Tensor a, torch.Tensor b) => a.mul(b).sum(1);
        public static torch.Tensor TensorAdd(torch.Tensor a, torch.Tensor b) => a.add(b);
        public static torch.Tensor ThroughScalars(torch.Tensor t) => Scalars.Add(t, 2.0);
    }

    private static Type Outer(Type t) => t.DeclaringType is null ? t : Outer(t.DeclaringType);

    private static IEnumerable<string> TemporaryScalarSites(Type type)
    {
        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
            foreach (var callee in Callees(method))
                if (MakesTemporaryScalar(callee, new HashSet<MethodBase>()))
                    yield return $"{type.FullName}.{method.Name} calls {callee.DeclaringType?.FullName}.{callee.Name}";
    }

    private static readonly Dictionary<MethodBase, bool> Memo = new();

    /// <summary>Whether <paramref name="method"/> converts a number to a Scalar, itself or through the
    /// TorchSharp methods it calls.</summary>
    private static bool MakesTemporaryScalar(MethodBase method, HashSet<MethodBase> visiting)
    {
        if (method.DeclaringType == typeof(Scalar) && method.Name == "op_Implicit") return true;
        if (method.Name == "ToScalar" && method.DeclaringType?.Assembly == typeof(Scalar).Assembly) return true;
        if (method.DeclaringType?.Assembly != typeof(Scalar).Assembly) return false;
        lock (Memo) if (Memo.TryGetValue(method, out var known)) return known;
        if (!visiting.Add(method)) return false;
        var result = Callees(method).Any(c => MakesTemporaryScalar(c, visiting));
        lock (Memo) Memo[method] = result;
        return result;
    }

    /// <summary>The methods <paramref name="method"/>'s IL calls (call, callvirt, newobj, ldftn).</summary>
    private static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception) { il = null; }
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            short value = il[at++];
            if (value == 0xFE) value = (short)(0xFE00 | il[at++]);
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget: case OperandType.ShortInlineI: case OperandType.ShortInlineVar: at += 1; break;
                case OperandType.InlineVar: at += 2; break;
                case OperandType.InlineI8: case OperandType.InlineR: at += 8; break;
                case OperandType.InlineSwitch: at += 4 + 4 * BitConverter.ToInt32(il, at); break;
                case OperandType.InlineMethod:
                    var token = BitConverter.ToInt32(il, at);
                    at += 4;
                    MethodBase? callee = null;
                    try { callee = method.Module.ResolveMethod(token, typeArgs, methodArgs); }
                    catch (Exception) { /* a generic context we cannot rebuild: not a TorchSharp call site */ }
                    if (callee is not null) yield return callee;
                    break;
                default: at += 4; break;
            }
        }
    }
}
