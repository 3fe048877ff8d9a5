using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators
{
    internal static partial class Emitter
    {
        private const string Release = "global::LossDsl.Runtime.Lifetimes.Release";

        /// <summary>The releases of one block of statements (the body of <c>Compute</c>, or a region's unfused
        /// branch): after each statement, the candidates it read for the last time (<see cref="Lifetimes"/>), each
        /// with the related values still in use, which the run-time call compares by reference.</summary>
        private sealed class ReleaseScope
        {
            private readonly LossIr _ir;
            private readonly NodeNames _names;
            private readonly List<int>[] _plan;
            private readonly Dictionary<int, int> _last;
            private readonly Dictionary<int, int> _defined = new();
            private readonly System.Func<int, bool> _outer;

            /// <param name="outer">Whether a node defined outside this block is in scope (and assigned) here.</param>
            public ReleaseScope(LossIr ir, NodeNames names, IReadOnlyList<Lifetimes.Statement> statements, IEnumerable<int> candidates,
                System.Func<int, bool>? outer = null)
            {
                _ir = ir;
                _names = names;
                _outer = outer ?? (_ => false);
                _last = Lifetimes.LastReads(ir, statements);
                _plan = Lifetimes.Plan(_last, statements.Count, new HashSet<int>(candidates));
                for (var k = 0; k < statements.Count; k++) _defined[statements[k].Defines] = k;
            }

            /// <summary>For a block nested in statement <paramref name="k"/>: whether a node of this block is in scope
            /// there (defined by an earlier statement, or by an enclosing block). Values already released are included:
            /// the nested block's releases compare against them by reference, and more candidates only keep more alive.</summary>
            public System.Func<int, bool> Before(int k) => id => _defined.TryGetValue(id, out var at) ? at < k : _outer(id);

            public void EmitReleases(IndentedWriter w, int k)
            {
                if (_plan[k].Count == 0) return;
                w.Line($"// not read again: {string.Join(", ", _plan[k].Select(_names.Var))} (autograd keeps what the backward pass needs)");
                foreach (var id in _plan[k])
                {
                    var live = Lifetimes.Related(_ir, id).Where(r => InUseAfter(r, k)).OrderBy(r => r).Select(_names.Readable);
                    w.Line($"{Release}({string.Join(", ", new[] { _names.Var(id) }.Concat(live))});");
                }
            }

            /// <summary>Whether node <paramref name="id"/> is in scope after statement <paramref name="k"/> and may
            /// still be read: inputs, enclosing blocks' values, results, and this block's values read later.</summary>
            private bool InUseAfter(int id, int k)
            {
                var node = _ir.Nodes[id];
                if (node.Op == OpCode.Input) return true;
                if (node.Kind == ValueKind.Number) return false;
                if (!_defined.TryGetValue(id, out var at)) return _outer(id);
                if (at > k) return false;
                return _names.IsRoot(id) || !_last.TryGetValue(id, out var last) || last > k;
            }
        }
    }
}
