using System;
using System.Text;

namespace LossDsl.Generators
{
    /// <summary>Writes indented C# text; <c>using (w.Block()) { ... }</c> opens and closes a brace block.</summary>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder _text = new();
        private int _depth;

        public IndentedWriter Line(string line = "")
        {
            if (line.Length > 0) _text.Append(' ', _depth * 4).Append(line);
            _text.Append('\n');
            return this;
        }

        public IDisposable Block(string? header = null, string close = "}")
        {
            if (header is not null) Line(header);
            Line("{");
            _depth++;
            return new Closer(this, close);
        }

        public override string ToString() => _text.ToString();

        private sealed class Closer : IDisposable
        {
            private readonly IndentedWriter _writer;
            private readonly string? _close;
            public Closer(IndentedWriter writer, string? close) { _writer = writer; _close = close; }

            public void Dispose()
            {
                _writer._depth--;
                if (_close is not null) _writer.Line(_close);
            }
        }
    }
}
