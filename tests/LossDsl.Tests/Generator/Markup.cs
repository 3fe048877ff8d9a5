using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Tests.Generator
{
    /// <summary>An expected diagnostic: its id and the exact span it must cover.</summary>
    internal sealed record ExpectedDiagnostic(string Id, TextSpan Span, LinePositionSpan LineSpan)
    {
        public override string ToString() => $"{Id} at {Markup.Show(LineSpan)}";
    }

    /// <summary>Source text with the expected diagnostics marked in place: <c>{|LD0002:for (...) { }|}</c>
    /// says LD0002 must cover exactly the text between the colon and <c>|}</c>. Markers may nest.</summary>
    internal sealed class Markup
    {
        private Markup(string text, IReadOnlyList<ExpectedDiagnostic> expected)
        {
            Text = text;
            Expected = expected;
        }

        /// <summary>The source with the markers removed.</summary>
        public string Text { get; }

        public IReadOnlyList<ExpectedDiagnostic> Expected { get; }

        public static Markup Parse(string marked)
        {
            var text = new StringBuilder();
            var open = new Stack<(string id, int start)>();
            var spans = new List<(string id, TextSpan span)>();
            for (var i = 0; i < marked.Length; i++)
            {
                if (string.CompareOrdinal(marked, i, "{|", 0, 2) == 0)
                {
                    var colon = marked.IndexOf(':', i + 2);
                    if (colon < 0) throw new FormatException($"'{{|' without 'ID:' at {i}");
                    open.Push((marked.Substring(i + 2, colon - i - 2), text.Length));
                    i = colon;
                }
                else if (string.CompareOrdinal(marked, i, "|}", 0, 2) == 0 && open.Count > 0)
                {
                    var (id, start) = open.Pop();
                    spans.Add((id, TextSpan.FromBounds(start, text.Length)));
                    i++;
                }
                else
                {
                    text.Append(marked[i]);
                }
            }
            if (open.Count > 0) throw new FormatException($"Unclosed marker '{open.Peek().id}'");

            var source = SourceText.From(text.ToString());
            var expected = spans.ConvertAll(s => new ExpectedDiagnostic(s.id, s.span, source.Lines.GetLinePositionSpan(s.span)));
            expected.Sort((a, b) => a.Span.Start != b.Span.Start ? a.Span.Start.CompareTo(b.Span.Start) : string.CompareOrdinal(a.Id, b.Id));
            return new Markup(text.ToString(), expected);
        }

        /// <summary><c>(line,col)-(line,col)</c>, 1-based like the compiler's output.</summary>
        public static string Show(LinePositionSpan span) =>
            $"({span.Start.Line + 1},{span.Start.Character + 1})-({span.End.Line + 1},{span.End.Character + 1})";
    }
}
