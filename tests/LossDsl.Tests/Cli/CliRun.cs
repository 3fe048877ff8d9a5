using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using LossDsl.Cli;

namespace LossDsl.Tests.Cli;

/// <summary>One in-process run of <see cref="CheckCommand.Run"/>, with what it wrote.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public IReadOnlyList<string> Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();

    /// <summary>The closing summary line.</summary>
    public string LastLine => Lines[^1];

    /// <summary>The result line of case <paramref name="name"/>.</summary>
    public string CaseLine(string name) =>
        Lines.SingleOrDefault(l => l.Length > 6 && l[6..].StartsWith(name + " ", StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"No line for case '{name}' in:\n{Output}\nstderr:\n{Error}");

    public static CliRun Args(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CheckCommand.Run(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Checks a case file holding <paramref name="cases"/>.</summary>
    public static CliRun OnCases(JsonNode c) => OnCases(new[] { c });

    public static CliRun OnCases(IEnumerable<JsonNode> cases, params string[] options)
    {
        var file = new JsonObject { ["meta"] = new JsonObject(), ["cases"] = new JsonArray(cases.Select(c => c.DeepClone()).ToArray()) };
        return OnText(file.ToJsonString(), options);
    }

    /// <summary>Checks a case file whose text is <paramref name="text"/>.</summary>
    public static CliRun OnText(string text, params string[] options)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lossdsl-cli-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, text);
        try
        {
            return Args(new[] { "check", path }.Concat(options).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>The reference cases (the format of shared/oracle/cases.json).</summary>
internal static class ReferenceCases
{
    /// <summary>The test project's copy, Oracle/cases.json in the output directory; when a build lacks it,
    /// the shared original, ../shared/oracle/cases.json beside the repository.</summary>
    public static string Path => LazyPath.Value;

    private static readonly Lazy<string> LazyPath = new(() =>
    {
        var copy = System.IO.Path.Combine(AppContext.BaseDirectory, "Oracle", "cases.json");
        if (File.Exists(copy)) return copy;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(System.IO.Path.Combine(dir.FullName, "LossDsl.sln"))) continue;
            var shared = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "oracle", "cases.json"));
            if (File.Exists(shared)) return shared;
        }
        throw new FileNotFoundException("No reference cases: neither Oracle/cases.json in the test output nor ../shared/oracle/cases.json.");
    });

    private static readonly Lazy<JsonArray> All = new(() => JsonNode.Parse(File.ReadAllText(Path))!["cases"]!.AsArray());

    /// <summary>A fresh copy of case <paramref name="name"/>.</summary>
    public static JsonObject Copy(string name) =>
        (JsonObject)(All.Value.SingleOrDefault(c => c!["name"]!.GetValue<string>() == name)
                     ?? throw new KeyNotFoundException($"No reference case '{name}' in {Path}.")).DeepClone();
}
