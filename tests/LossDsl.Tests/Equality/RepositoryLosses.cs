using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using LossDsl.Runtime;

namespace LossDsl.Tests.Equality;

/// <summary>Every [Loss] class declared in the repository: the zoo (src/Runtime/Zoo), the example's
/// losses (compiled into this test assembly from examples/Distillation/Losses.cs) and the tests' own.</summary>
public static class RepositoryLosses
{
    public static IEnumerable<Type> Types() =>
        new[] { typeof(LossDsl.Zoo.NtXent).Assembly, typeof(RepositoryLosses).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(ILoss).IsAssignableFrom(t) && t.GetCustomAttribute<LossAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var type in Types()) data.Add(type.FullName!);
        return data;
    }

    public static ILoss Create(string fullName) =>
        (ILoss)Activator.CreateInstance(Types().Single(t => t.FullName == fullName))!;
}
