using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace LossDsl.Cli;

/// <summary>A case file (the format of tests/LossDsl.Tests/Oracle/cases.json): <c>{"meta": …, "cases": [ … ]}</c>, or
/// a bare array of cases. Only the top level is checked here; each case is read field by field
/// when it is checked, so one malformed case cannot stop the others.</summary>
public static class CaseFile
{
    /// <summary>The cases of the file at <paramref name="path"/>, in file order.</summary>
    /// <exception cref="CaseFileException">The file cannot be read, is not JSON, or has no case list.</exception>
    public static IReadOnlyList<ReferenceCase> Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CaseFileException($"cannot read '{path}': {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>The cases of a case file's text; <paramref name="origin"/> names it in errors.</summary>
    /// <exception cref="CaseFileException">The text is not JSON or has no case list.</exception>
    public static IReadOnlyList<ReferenceCase> Parse(string text, string origin)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(QuoteNonFiniteLiterals(text), new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
                MaxDepth = 256,
            });
        }
        catch (JsonException e)
        {
            throw new CaseFileException($"'{origin}' is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            JsonElement list;
            if (root.ValueKind == JsonValueKind.Array) list = root;
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("cases", out var cases)
                     && cases.ValueKind == JsonValueKind.Array) list = cases;
            else
                throw new CaseFileException(
                    $"'{origin}' is not a case file: expected an object with a \"cases\" array (or an array of cases), got {Describe(root)}.");
            // Clone so the cases outlive the document.
            return list.EnumerateArray().Select((c, i) => new ReferenceCase(c.Clone(), i)).ToList();
        }
    }

    /// <summary>Python's json.dump writes non-finite floats as the bare tokens <c>NaN</c>, <c>Infinity</c> and
    /// <c>-Infinity</c>, which are not JSON. Outside strings, these become the strings "NaN", "Infinity" and
    /// "-Infinity", which the tensor reader accepts.</summary>
    internal static string QuoteNonFiniteLiterals(string text)
    {
        StringBuilder? output = null;
        var copiedUpTo = 0;
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (inString)
            {
                if (ch == '\\') i++;
                else if (ch == '"') inString = false;
                continue;
            }
            if (ch == '"') { inString = true; continue; }
            var token = ch switch
            {
                'N' when Matches(text, i, "NaN") => "NaN",
                'I' when Matches(text, i, "Infinity") => "Infinity",
                '-' when Matches(text, i, "-Infinity") => "-Infinity",
                _ => null,
            };
            if (token is null) continue;
            output ??= new StringBuilder(text.Length + 64);
            output.Append(text, copiedUpTo, i - copiedUpTo).Append('"').Append(token).Append('"');
            i += token.Length - 1;
            copiedUpTo = i + 1;
        }
        return output is null ? text : output.Append(text, copiedUpTo, text.Length - copiedUpTo).ToString();
    }

    private static bool Matches(string text, int at, string token) =>
        string.CompareOrdinal(text, at, token, 0, token.Length) == 0
        && (at + token.Length == text.Length || !char.IsLetterOrDigit(text[at + token.Length]));

    /// <summary>A short description of a JSON value's kind, for messages.</summary>
    internal static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {e.GetArrayLength()}",
        JsonValueKind.String => $"the string \"{Truncate(e.GetString() ?? "", 40)}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string s, int length) => s.Length <= length ? s : s[..length] + "…";
}

/// <summary>A case file as a whole cannot be used (unreadable, not JSON, no case list).</summary>
public sealed class CaseFileException(string message) : Exception(message);
