using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Ir
{
    /// <summary>Interns expression trees into a DAG: a node is created once per distinct
    /// (op, kind, arguments, attribute), so a subexpression written in two terms is computed once.</summary>
    public sealed class IrBuilder
    {
        private readonly List<IrNode> _nodes = new();
        private readonly Dictionary<(OpCode, ValueKind, EquatableArray<int>, NodeAttr?), int> _index = new();
        private readonly List<IrInput> _inputs = new();
        private readonly List<IrHyper> _hypers = new();
        private readonly List<IrTerm> _terms = new();

        public IReadOnlyList<IrNode> Nodes => _nodes;

        /// <summary>Adds <paramref name="expr"/> (and its arguments) and returns its node id. When given,
        /// <paramref name="visit"/> sees every expression with the id it was interned as (the generator maps
        /// node ids back to the syntax that built them, for diagnostics).</summary>
        public int Intern(Expr expr, System.Action<Expr, int>? visit = null)
        {
            var args = new int[expr.Args.Count];
            for (var i = 0; i < args.Length; i++) args[i] = Intern(expr.Args[i], visit);
            var id = Intern(expr.Op, expr.Kind, args, expr.Attr);
            visit?.Invoke(expr, id);
            return id;
        }

        public int Intern(OpCode op, ValueKind kind, int[] args, NodeAttr? attr)
        {
            var key = (op, kind, new EquatableArray<int>(args), attr);
            if (_index.TryGetValue(key, out var id)) return id;
            id = _nodes.Count;
            _nodes.Add(new IrNode(id, op, kind, key.Item3, attr));
            _index[key] = id;
            return id;
        }

        /// <summary>Declares an input (a term parameter), so inputs keep the order of the term signatures.</summary>
        public void AddInput(string name, ValueKind kind, string term)
        {
            if (_inputs.All(i => i.Name != name)) _inputs.Add(new IrInput(name, kind, term));
        }

        /// <summary>Records the inputs a term reads that were not declared, in first-use order.</summary>
        public void AddInputsOf(int root, string term)
        {
            foreach (var node in Reachable(root).Where(n => n.Op == OpCode.Input)) AddInput(node.Name, node.Kind, term);
        }

        public void AddHyper(IrHyper hyper)
        {
            if (_hypers.All(h => h.Name != hyper.Name)) _hypers.Add(hyper);
        }

        public void AddTerm(string name, double weight, Expr body, string source) =>
            AddTerm(name, weight, Intern(body), source);

        public void AddTerm(string name, double weight, int root, string source)
        {
            AddInputsOf(root, name);
            _terms.Add(new IrTerm(name, weight, root, source));
        }

        /// <summary>Nodes reachable from <paramref name="root"/>, in id (topological) order.</summary>
        public IEnumerable<IrNode> Reachable(int root)
        {
            var seen = new SortedSet<int>();
            var stack = new Stack<int>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                var id = stack.Pop();
                if (!seen.Add(id)) continue;
                foreach (var a in _nodes[id].Args) stack.Push(a);
            }
            return seen.Select(i => _nodes[i]);
        }

        public LossIr Build() => new(
            _nodes.ToEquatableArray(),
            _inputs.ToEquatableArray(),
            _hypers.ToEquatableArray(),
            _terms.ToEquatableArray());
    }
}
