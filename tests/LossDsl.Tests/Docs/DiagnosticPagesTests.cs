using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using LossDsl.Tests.Generator;
using LossDsl.Tests.Snapshots;

namespace LossDsl.Tests.Docs;

/// <summary>Each docs/diagnostics/LDxxxx.md shows a wrong and a fixed example; the C# ones are run through the
/// generator here: the wrong one reports its page's id, the fixed one reports nothing and compiles.</summary>
public sealed class DiagnosticPagesTests
{
    private static string Folder => Path.Combine(RepositoryRoot.Find()!, "docs", "diagnostics");

    public static IEnumerable<object[]> Pages =>
        Directory.GetFiles(Path.Combine(RepositoryRoot.Find()!, "docs", "diagnostics"), "LD*.md")
            .Select(Path.GetFileNameWithoutExtension).Where(id => id != "LD9999").OrderBy(id => id, StringComparer.Ordinal)
            .Select(id => new object[] { id! });

    [Theory]
    [MemberData(nameof(Pages))]
    public void The_wrong_example_reports_the_id_and_the_fixed_one_compiles(string id)
    {
        var page = File.ReadAllText(Path.Combine(Folder, id + ".md")).Replace("\r\n", "\n");
        var wrong = Block(page, "Wrong", id);
        var fixedCode = Block(page, "Fixed", id);
        if (wrong.Language != "csharp") return; // LD0018's examples are project files

        var wrongRun = GeneratorHarness.Run(new[] { new TestSource("Wrong.cs", WithPrelude(wrong.Code)) });
        Assert.Empty(wrongRun.Crashes);
        Assert.True(wrongRun.LossDiagnostics.Any(d => d.Id == id),
            $"{id}.md: the wrong example does not report {id}; it reports:\n{GeneratorRun.Show(wrongRun.LossDiagnostics)}");

        var fixedRun = GeneratorHarness.Run(new[] { new TestSource("Fixed.cs", WithPrelude(fixedCode.Code)) }, References.Runtime);
        Assert.True(fixedRun.LossDiagnostics.IsEmpty, $"{id}.md: the fixed example still reports:\n{GeneratorRun.Show(fixedRun.LossDiagnostics)}");
        Assert.True(!fixedRun.OutputErrors.Any(), $"{id}.md: the fixed example does not compile:\n{GeneratorRun.Show(fixedRun.OutputErrors)}");
        Assert.NotEmpty(fixedRun.Sources);
    }

    private static (string Language, string Code) Block(string page, string section, string id)
    {
        var match = Regex.Match(page, @"^## " + section + @"\n(?:.*\n)*?```(\w+)\n((?:.*\n)*?)```", RegexOptions.Multiline);
        Assert.True(match.Success, $"{id}.md has no '## {section}' section with a code block");
        return (match.Groups[1].Value, match.Groups[2].Value);
    }

    private static string WithPrelude(string code) => code.Contains("using LossDsl;") ? code : GeneratorHarness.Prelude + code;
}
