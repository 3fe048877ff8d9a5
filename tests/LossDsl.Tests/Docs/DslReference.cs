using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using LossDsl.Ir;

namespace LossDsl.Tests.Docs;

/// <summary>Writes docs/dsl.md, the vocabulary of the DSL: one entry per operation of the catalogue
/// (<see cref="OpCatalog"/>: its formula and shape rule) with every DSL function, method or operator that builds it
/// (<c>[DslOp]</c>) and its XML summary from LossDsl.Dsl.xml. <see cref="DslReferenceTests"/> holds the file equal
/// to what this writes.</summary>
public static class DslReference
{
    public static string Generate()
    {
        var assembly = typeof(LossDsl.Dsl).Assembly;
        var docs = XmlDocs(assembly);
        var members = assembly.GetTypes()
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .OfType<MethodInfo>()
            .Select(m => (Method: m, Op: m.GetCustomAttribute<DslOpAttribute>()?.Op))
            .Where(m => m.Op is not null)
            .GroupBy(m => m.Op!.Value)
            .ToDictionary(g => g.Key, g => g.Select(m => m.Method).OrderBy(Signature, StringComparer.Ordinal).ToList());

        var text = new StringBuilder();
        text.Append("""
            # The LossDsl vocabulary

            Every operation a term can use: its formula (the notation of `Describe()` and of the generated code's
            comments, over the arguments `{0}`, `{1}`, …), its shape rule (how the result's dimensions follow from the
            arguments'; see "The type system" in [CONTRIBUTING.md](CONTRIBUTING.md)), and the DSL functions, methods
            and operators that build it, with their documentation.

            *Generated* from the operation catalogue (`src/Dsl/Ir/OpCatalog.cs`) and the XML documentation of
            `src/Dsl` by `tests/LossDsl.Tests/Docs/DslReference.cs`; a test fails when this file is out of date.
            Regenerate it with `LOSSDSL_ACCEPT_SNAPSHOTS=1 dotnet test LossDsl.sln --filter FullyQualifiedName~DslReference`.


            """.Replace("\r\n", "\n"));

        text.Append("## Shape rules\n\n| rule | meaning |\n| --- | --- |\n");
        foreach (var rule in Enum.GetValues<ShapeRule>())
            text.Append($"| `{rule}` | {Cell(Summary(docs, "F:" + typeof(ShapeRule).FullName + "." + rule))} |\n");

        text.Append("\n## Operations\n\n");
        text.Append("| operation | formula | shape | DSL |\n| --- | --- | --- | --- |\n");
        var ops = Enum.GetValues<OpCode>().Where(members.ContainsKey).ToList();
        foreach (var op in ops)
            text.Append($"| [{op}](#{op.ToString().ToLowerInvariant()}) | `{Cell(OpCatalog.Get(op).Notation)}` | `{OpCatalog.Get(op).Shape}` | " +
                        string.Join(", ", members[op].Select(m => "`" + Cell(ShortName(m)) + "`").Distinct()) + " |\n");

        var others = Enum.GetValues<OpCode>().Where(op => !members.ContainsKey(op)).ToList();
        text.Append("\nWritten with C# operators, or made by declarations rather than calls (inputs, `[Hyper]` members, numbers):\n\n");
        text.Append("| operation | formula | shape |\n| --- | --- | --- |\n");
        foreach (var op in others)
            text.Append($"| {op} | `{Cell(OpCatalog.Get(op).Notation)}` | `{OpCatalog.Get(op).Shape}` |\n");

        foreach (var op in ops)
        {
            var info = OpCatalog.Get(op);
            text.Append($"\n### {op}\n\n");
            text.Append($"- formula: `{info.Notation}`\n");
            text.Append($"- shape: `{info.Shape}` — {Summary(docs, "F:" + typeof(ShapeRule).FullName + "." + info.Shape)}\n");
            if (info.Runtime is not null) text.Append($"- runtime: `Ops.{info.Runtime}`\n");
            text.Append($"- id: {(int)op}\n\n");
            foreach (var method in members[op])
            {
                var summary = Summary(docs, DocId(method));
                text.Append($"`{Signature(method)}`");
                text.Append(summary.Length > 0 ? $"  \n{summary}\n\n" : "\n\n");
            }
        }
        return text.ToString().TrimEnd('\n') + "\n";
    }

    private static Dictionary<string, XElement> XmlDocs(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path)) throw new FileNotFoundException($"The DSL's XML documentation is missing: {path} (GenerateDocumentationFile in src/Dsl).");
        return XDocument.Load(path).Descendants("member")
            .GroupBy(m => (string)m.Attribute("name")!)
            .ToDictionary(g => g.Key, g => g.First());
    }

    /// <summary>The summary as one line of Markdown: <c>&lt;c&gt;</c> as code, references by their last name.</summary>
    private static string Summary(Dictionary<string, XElement> docs, string id)
    {
        if (!docs.TryGetValue(id, out var member) || member.Element("summary") is not { } summary) return "";
        var text = new StringBuilder();
        foreach (var node in summary.Nodes())
            text.Append(node switch
            {
                XText t => t.Value,
                XElement { Name.LocalName: "c" } c => "`" + c.Value + "`",
                XElement { Name.LocalName: "see" or "seealso" } s =>
                    "`" + ((string?)s.Attribute("cref") ?? (string?)s.Attribute("langword") ?? "").Split('.', ':')[^1].Split('(')[0].Split('`')[0] + "`",
                XElement { Name.LocalName: "paramref" or "typeparamref" } p => "`" + (string?)p.Attribute("name") + "`",
                XElement e => e.Value,
                _ => "",
            });
        return Regex.Replace(text.ToString(), @"\s+", " ").Trim();
    }

    private static string Cell(string text) => text.Replace("|", "\\|");

    private static string ShortName(MethodInfo m) => Operator(m.Name) is { } symbol ? symbol : m.Name;

    private static string? Operator(string name) => name switch
    {
        "op_Addition" => "+", "op_Subtraction" => "−", "op_Multiply" => "*", "op_Division" => "/", "op_UnaryNegation" => "unary −",
        _ => null,
    };

    private static string Signature(MethodInfo m)
    {
        var parameters = m.GetParameters();
        string P(ParameterInfo p) => TypeName(p.ParameterType) + " " + p.Name + (p.HasDefaultValue ? " = " + Format(p.DefaultValue) : "");
        if (Operator(m.Name) is { } symbol)
            return parameters.Length == 1
                ? $"{symbol.Replace("unary ", "")}({P(parameters[0])}) → {TypeName(m.ReturnType)}"
                : $"({P(parameters[0])}) {symbol} ({P(parameters[1])}) → {TypeName(m.ReturnType)}";
        var receiver = m.IsStatic ? (m.DeclaringType == typeof(LossDsl.Dsl) ? "" : TypeName(m.DeclaringType!) + ".") : TypeName(m.DeclaringType!) + ".";
        var generic = m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";
        return $"{receiver}{m.Name}{generic}({string.Join(", ", parameters.Select(P))}) → {TypeName(m.ReturnType)}";
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static string TypeName(Type t)
    {
        if (t.IsGenericParameter) return t.Name;
        if (t.IsArray) return TypeName(t.GetElementType()!) + "[]";
        if (Nullable.GetUnderlyingType(t) is { } inner) return TypeName(inner) + "?";
        if (t.IsGenericType)
            return t.Name.Split('`')[0] + "<" + string.Join(", ", t.GetGenericArguments().Select(TypeName)) + ">";
        return t.FullName switch
        {
            "System.Double" => "double", "System.Single" => "float", "System.Int32" => "int", "System.Int64" => "long",
            "System.String" => "string", "System.Boolean" => "bool", "System.Void" => "void",
            _ => t.Name,
        };
    }

    /// <summary>The XML documentation id of a method (ECMA-334 annex D).</summary>
    private static string DocId(MethodInfo m)
    {
        var name = m.Name.Replace('.', '#');
        var id = "M:" + DocTypeName(m.DeclaringType!, definition: true) + "." + name;
        if (m.IsGenericMethodDefinition) id += "``" + m.GetGenericArguments().Length;
        var parameters = m.GetParameters();
        if (parameters.Length > 0) id += "(" + string.Join(",", parameters.Select(p => DocTypeName(p.ParameterType, definition: false))) + ")";
        if (m.Name is "op_Implicit" or "op_Explicit") id += "~" + DocTypeName(m.ReturnType, definition: false);
        return id;
    }

    private static string DocTypeName(Type t, bool definition)
    {
        if (t.IsGenericParameter) return (t.DeclaringMethod is not null ? "``" : "`") + t.GenericParameterPosition;
        if (t.IsByRef) return DocTypeName(t.GetElementType()!, definition) + "@";
        if (t.IsArray) return DocTypeName(t.GetElementType()!, definition) + "[]";
        var outer = t.IsNested ? DocTypeName(t.DeclaringType!, definition: true) + "." : (t.Namespace is { Length: > 0 } ns ? ns + "." : "");
        var name = t.Name;
        if (!t.IsGenericType) return outer + name;
        if (definition || t.IsGenericTypeDefinition) return outer + name;
        var ownArguments = t.GetGenericArguments().Skip(t.IsNested ? t.DeclaringType!.GetGenericArguments().Length : 0);
        return outer + name.Split('`')[0] + "{" + string.Join(",", ownArguments.Select(a => DocTypeName(a, definition: false))) + "}";
    }
}
