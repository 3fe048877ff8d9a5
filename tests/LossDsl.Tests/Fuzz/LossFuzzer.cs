using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace LossDsl.Tests.Fuzz;

/// <summary>What a fuzzed declaration must do.</summary>
public enum Expectation
{
    /// <summary>A valid loss: no LD diagnostic, no C# error; its generated code compiles and runs, and the generated
    /// Compute (fused and unfused) equals the interpreter.</summary>
    Valid,

    /// <summary>Valid C# that the DSL refuses: at least one LD diagnostic inside the declaration (the one named by
    /// <see cref="FuzzCase.ExpectedId"/> among them), nothing generated for it.</summary>
    Invalid,

    /// <summary>A mutation whose outcome is not known in advance (a deleted token): no crash; whatever is generated
    /// compiles; if the C# compiles and no LD is reported, it is a valid loss and must compile and run.</summary>
    Unknown,
}

/// <summary>One fuzzed <c>[Loss]</c> declaration: its files (each a namespace of its own), the class's metadata name
/// and what it must do.</summary>
public sealed record FuzzCase(int Index, string Category, Expectation Expect, string? ExpectedId, string Namespace, string ClassName,
    IReadOnlyList<(string Path, string Text)> Files)
{
    public string FullName => Namespace + "." + ClassName;

    public override string ToString() => $"#{Index} {Category} ({Expect}{(ExpectedId is null ? "" : " " + ExpectedId)}):\n" +
                                         string.Join("\n", Files.Select(f => $"// {f.Path}\n{f.Text}"));
}

/// <summary>Builds random <c>[Loss]</c> declarations from a fixed seed: valid ones from random chains of the DSL's
/// vocabulary (typed by kind, so they are valid by construction), and mutations of them (wrong kinds, unknown calls,
/// lambdas, conditionals, generics, partial classes split across files, nested classes, records, file-scoped
/// namespaces, preprocessor branches, deleted tokens, …), each with what the generator must do.</summary>
public sealed class LossFuzzer
{
    private readonly Random _r;

    public LossFuzzer(int seed) => _r = new Random(seed);

    /// <summary>The categories of mutation and the LD id each must produce (null: outcome unknown in advance).</summary>
    public static readonly IReadOnlyList<(string Name, string? Id)> Mutations = new (string, string?)[]
    {
        ("triplets-to-criterion", "LD0004"), ("triplets-no-runtime-form", "LD0004"), ("rigid-dims-conflict", "LD0015"),
        ("host-call", "LD0002"), ("math-call", "LD0002"), ("lambda", "LD0002"), ("conditional", "LD0002"),
        ("if-statement", "LD0002"), ("loop", "LD0002"), ("const-local", "LD0002"), ("preprocessor-loop", "LD0002"),
        ("generic-class", "LD0011"), ("generic-term", "LD0014"), ("nested-class", "LD0011"), ("record", "LD0011"),
        ("file-local", "LD0011"), ("not-partial", "LD0001"), ("not-real", "LD0005"), ("negative-weight", "LD0006"),
        ("nan-weight", "LD0006"), ("zero-temperature", "LD0007"), ("nan-temperature", "LD0007"), ("temperature-hyper-default", "LD0007"),
        ("no-terms", "LD0008"), ("double-parameter", "LD0009"), ("bool-hyper", "LD0010"), ("setter-only-hyper", "LD0010"),
        ("duplicate-term", "LD0012"), ("reserved-term", "LD0013"), ("reserved-member", "LD0013"), ("reserved-input", "LD0013"),
        ("ref-parameter", "LD0014"), ("explicit-interface-term", "LD0014"), ("input-two-kinds", "LD0003"),
        ("deleted-token", null), ("deleted-tokens", null),
    };

    private int _next;

    /// <summary>A valid declaration.</summary>
    public FuzzCase NextValid() => Build(_next++, "valid", Expectation.Valid, null, Decl.Random(_r), mutation: null);

    /// <summary>A mutation of a valid declaration, of a random category.</summary>
    public FuzzCase NextMutant()
    {
        var (name, id) = Mutations[_r.Next(Mutations.Count)];
        return Build(_next++, name, id is null ? Expectation.Unknown : Expectation.Invalid, id, Decl.Random(_r), name);
    }

    private FuzzCase Build(int index, string category, Expectation expect, string? id, Decl decl, string? mutation)
    {
        var ns = $"Fuzz.C{index}";
        if (mutation is not null) Mutate(decl, mutation);
        var files = decl.Render(ns, _r);
        if (mutation is "deleted-token" or "deleted-tokens")
        {
            var victim = _r.Next(files.Count);
            var text = files[victim].Text;
            for (var k = mutation == "deleted-token" ? 1 : 2 + _r.Next(3); k > 0; k--) text = DeleteToken(text);
            files[victim] = (files[victim].Path, text);
        }
        return new FuzzCase(index, category, expect, id, ns, decl.ClassName.TrimStart('@'), files);
    }

    /// <summary>Removes one random token (an identifier, number, punctuation or keyword) after the usings.</summary>
    private string DeleteToken(string text)
    {
        var start = text.IndexOf("namespace", StringComparison.Ordinal);
        if (start < 0) start = 0;
        var tokens = new List<(int Start, int Length)>();
        for (var i = start; i < text.Length;)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            var j = i;
            static bool Word(char c) => char.IsLetterOrDigit(c) || c is '_' or '@';
            if (Word(text[i]))
                while (j < text.Length && (Word(text[j]) || text[j] == '.' && j + 1 < text.Length && char.IsDigit(text[j + 1]))) j++;
            else j = i + 1;
            tokens.Add((i, j - i));
            i = j;
        }
        var (s, l) = tokens[_r.Next(tokens.Count)];
        return text.Remove(s, l);
    }

    private void Mutate(Decl d, string mutation)
    {
        var term = d.Terms[_r.Next(d.Terms.Count)];
        // Mutations that read the hyper-parameter need an instance term.
        if (mutation is "math-call" or "conditional" or "if-statement" or "temperature-hyper-default") term.Static = false;
        switch (mutation)
        {
            case "triplets-to-criterion":
                term.Body = $"SmoothL1({Vocabulary.TripletsOf("z", "y")}, {Vocabulary.TripletsOf("z", "y")})";
                term.Uses("z", "y");
                break;
            case "triplets-no-runtime-form":
                term.Body = _r.Next(2) == 0 ? $"Normalize({Vocabulary.TripletsOf("z", "y")}).Mean()" : $"{Vocabulary.TripletsOf("z", "y")}.RowSum().Mean()";
                term.Uses("z", "y");
                break;
            case "rigid-dims-conflict":
                term.Body = "Pairwise(z, p, Similarity.Dot).Over(SameLabel(y)).MeanOverPairs()";
                term.Uses("z", "y");
                term.Extra.Add("[Dims(\"K\", \"D_z\")] Embeddings p");
                break;
            case "host-call":
                term.Body = $"({term.Body}) * Scale()";
                d.Members.Add("static double Scale() => 2.0;");
                break;
            case "math-call":
                term.Body = $"({term.Body}) * System.Math.Round({d.HyperA} + 0.5)";
                break;
            case "lambda":
                term.Body = $"((System.Func<Real>)(() => {term.Body}))()";
                break;
            case "conditional":
                term.Body = $"({d.HyperA} > 1 ? {term.Body} : {term.Body} * 2.0)";
                break;
            case "if-statement":
                term.Statements.Add($"if ({d.HyperA} > 100) return {term.Body};");
                break;
            case "loop":
                term.Statements.Insert(0, "for (var k = 0; k < 2; k++) { }");
                break;
            case "const-local":
                term.Statements.Insert(0, "const double k = 2.0;");
                break;
            case "preprocessor-loop":
                term.Statements.Insert(0, "#if !NEVER_DEFINED\n        while (false) { }\n#endif");
                break;
            case "generic-class": d.TypeParameters = "<T>"; break;
            case "generic-term": term.TypeParameters = "<U>"; break;
            case "nested-class": d.Nested = true; break;
            case "record": d.Keyword = "record"; break;
            case "file-local": d.FileLocal = true; d.Split = false; break;
            case "not-partial": d.Partial = false; d.Split = false; break;
            case "not-real":
                term.ReturnType = "Vector";
                term.Body = "Norm(z)";
                term.Uses("z");
                break;
            case "negative-weight": term.Weight = "-1.0"; break;
            case "nan-weight": term.Weight = "double.NaN"; break;
            case "zero-temperature":
                term.Body = $"({term.Body}) + KL(Softmax(s, 0.0), LogSoftmax(s))";
                term.Uses("s");
                break;
            case "nan-temperature":
                term.Body = $"({term.Body}) + KL(Softmax(s), LogSoftmax(s, double.NaN))";
                term.Uses("s");
                break;
            case "temperature-hyper-default":
                d.TauDefault = _r.Next(2) == 0 ? "0" : "-0.5";
                d.TauUsed = true;
                term.Body = $"({term.Body}) + (Pairwise(z, Similarity.Dot) / {d.Tau}).Over(AllPairs()).MeanOverPairs()";
                term.Uses("z");
                break;
            case "no-terms":
                foreach (var t in d.Terms) t.Attribute = false;
                break;
            case "double-parameter": term.Extra.Add("double k"); break;
            case "bool-hyper": d.Members.Add("[Hyper] public bool Flag { get; set; }"); break;
            case "setter-only-hyper": d.Members.Add("private double _w = 1;\n    [Hyper] public double W { set => _w = value; }"); break;
            case "duplicate-term":
                // An overload (three Vector parameters: no other term has that signature), so the C# compiles.
                d.Terms.Add(new Term { Name = term.Name, Body = "CrossEntropy(s, y)", Extra = { "Vector d1", "Vector d2", "Vector d3" } }.Using("s", "y"));
                break;
            case "reserved-term": term.Name = Pick("Compute", "Describe", "Trace", "Ir", "Inputs", "NonFiniteInputs", "__t"); break;
            case "reserved-member": d.Members.Add(Pick("public string Describe(int detail) => \"\";", "public int UseFusedKernels => 1;", "private int __state;", "public class Name { }")); break;
            case "reserved-input":
                term.Body = "Normalize(v0).Sum()";
                term.Uses();
                term.Extra.Add("Embeddings v0");
                break;
            case "ref-parameter": term.Extra.Add("ref Embeddings q"); break;
            case "explicit-interface-term":
                d.Interface = true;
                term.Explicit = true;
                term.Body = "CrossEntropy(s, y)";
                term.Uses("s", "y");
                term.Extra.Clear();
                term.Static = false;
                term.Statements.Clear();
                term.Block = false;
                break;
            case "input-two-kinds":
                var other = new Term { Name = "Clash" + _r.Next(100), Body = "s.Sum()" };
                other.Extra.Add("Vector s");
                d.Terms.Add(other);
                term.Body = $"({term.Body}) + CrossEntropy(s, y)";
                term.Uses("s", "y");
                break;
        }
    }

    private string Pick(params string[] options) => options[_r.Next(options.Length)];

    /// <summary>One term: its signature pieces and body.</summary>
    private sealed class Term
    {
        public string Name = "T";
        public string Weight = "1.0";
        public string ReturnType = "Real";
        public string Body = "";
        public string TypeParameters = "";
        public bool Attribute = true;
        public bool Static;
        public bool Block;
        public bool Explicit;
        public List<string> Statements = new();
        public List<string> Extra = new();
        public HashSet<string> Inputs = new();

        public void Uses(params string[] inputs) { foreach (var i in inputs) Inputs.Add(i); }

        public Term Using(params string[] inputs) { Uses(inputs); return this; }
    }

    /// <summary>A declaration: class shape, hyper-parameters, members and terms.</summary>
    private sealed class Decl
    {
        public string ClassName = "L";
        public string Keyword = "class";
        public string TypeParameters = "";
        public bool Partial = true;
        public bool Nested;
        public bool FileLocal;
        public bool FileScoped;
        public bool Split;
        public bool Interface;
        public bool Preprocessor;
        public string HyperA = "A";
        public string Tau = "Tau";
        public string TauDefault = "0.5";
        public bool TauUsed;
        public string ADefault = "1.5";
        public List<string> Members = new();
        public List<Term> Terms = new();

        private static readonly string[] Keywords = { "@double", "@event", "@class", "@in", "@fixed" };

        public static Decl Random(Random r)
        {
            var d = new Decl
            {
                ClassName = r.Next(8) == 0 ? "@" + "checked" : "Loss" + r.Next(1000),
                FileScoped = r.Next(4) == 0,
                Split = r.Next(4) == 0,
                Preprocessor = r.Next(5) == 0,
                ADefault = (0.5 + r.Next(4) * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture),
                TauDefault = (0.1 + r.Next(5) * 0.2).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
            };
            if (r.Next(5) == 0) d.HyperA = Keywords[r.Next(2)];
            if (r.Next(5) == 0) d.Tau = Keywords[2 + r.Next(3)];
            var count = 1 + r.Next(3);
            for (var k = 0; k < count; k++)
            {
                var vocabulary = new Vocabulary(r, d.HyperA, d.Tau);
                var term = new Term
                {
                    Name = r.Next(10) == 0 ? Keywords[r.Next(Keywords.Length)] + k : "Term" + k,
                    Weight = (r.Next(4) * 0.5).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
                    Static = r.Next(3) == 0,
                    Block = r.Next(3) == 0,
                };
                if (term.Block && r.Next(2) == 0)
                {
                    var local = vocabulary.Relation(2);
                    term.Statements.Add($"var r0 = {local};");
                    vocabulary.LocalRelation = "r0";
                }
                term.Body = vocabulary.Real(3);
                term.Uses(vocabulary.Used.ToArray());
                if (vocabulary.UsesTau) d.TauUsed = true;
                if (term.Static && (vocabulary.UsesHyper || vocabulary.UsesTau)) term.Static = false;
                d.Terms.Add(term);
            }
            return d;
        }

        private static string InputType(string name) => name switch
        {
            "z" or "w" => "Embeddings",
            "s" or "t" => "Logits",
            "y" => "Labels",
            _ => "Vector",
        };

        private string Signature(Term t)
        {
            var parameters = t.Inputs.OrderBy(i => i, StringComparer.Ordinal)
                .Select(i => (i == "t" ? "[Frozen] " : "") + InputType(i) + " " + i).Concat(t.Extra);
            return string.Join(", ", parameters);
        }

        private string RenderTerm(Term t)
        {
            var sb = new StringBuilder();
            var attribute = t.Attribute ? (t.Weight == "1.0" ? "[Term] " : $"[Term(Weight = {t.Weight})] ") : "";
            var modifiers = t.Explicit ? "" : t.Static ? "static " : "";
            var name = t.Explicit ? "IHasTerm." + t.Name : t.Name;
            sb.Append($"    {attribute}{modifiers}{t.ReturnType} {name}{t.TypeParameters}({Signature(t)})");
            if (t.Block || t.Statements.Count > 0)
            {
                sb.Append("\n    {\n");
                foreach (var s in t.Statements) sb.Append("        ").Append(s).Append('\n');
                sb.Append("        return ").Append(t.Body).Append(";\n    }\n");
            }
            else sb.Append(" =>\n        ").Append(t.Body).Append(";\n");
            return sb.ToString();
        }

        private string Hypers() =>
            $"    [Hyper] public double {HyperA} {{ get; set; }} = {ADefault};\n" +
            (TauUsed ? $"    [Hyper, Temperature] public double {Tau} {{ get; set; }} = {TauDefault};\n" : "");

        public List<(string Path, string Text)> Render(string ns, Random r)
        {
            var head = LossDsl.Tests.Generator.GeneratorHarness.Prelude;
            var partial = Partial ? "partial " : "";
            var file = FileLocal ? "file " : "public ";
            var bases = Interface ? " : IHasTerm" : "";
            var terms = Terms.Select(RenderTerm).ToList();
            var members = string.Join("", Members.Select(m => "    " + m + "\n"));
            string Wrap(string body, bool withAttribute)
            {
                var type = $"{(withAttribute ? "[Loss]\n" : "")}{file}{partial}{Keyword} {ClassName}{TypeParameters}{(withAttribute ? bases : "")}\n{{\n{body}}}\n";
                if (Nested && withAttribute) type = $"public partial class Outer\n{{\n{type}}}\n";
                if (Nested && !withAttribute) type = $"public partial class Outer\n{{\n{type}}}\n";
                var iface = Interface && withAttribute ? $"public interface IHasTerm {{ Real {Terms.First(t => t.Explicit).Name}({Signature(Terms.First(t => t.Explicit))}); }}\n" : "";
                return FileScoped ? $"namespace {ns};\n{iface}{type}" : $"namespace {ns}\n{{\n{iface}{type}}}\n";
            }
            var firstBody = Hypers() + members + string.Concat(Split ? terms.Take(1) : terms);
            if (Preprocessor && !Split)
                firstBody += "#if NEVER_DEFINED\n    [Term] public Real Hidden(Embeddings z) => Broken(z);\n#else\n    private static int Visible => 1;\n#endif\n";
            var files = new List<(string, string)> { ($"{ns}.cs", head + Wrap(firstBody, withAttribute: true)) };
            if (Split && terms.Count > 1)
                files.Add(($"{ns}.part2.cs", head + Wrap(string.Concat(terms.Skip(1)), withAttribute: false)));
            else if (Split)
                files.Add(($"{ns}.part2.cs", head + Wrap("    private static int Nothing => 0;\n", withAttribute: false)));
            return files;
        }
    }

    /// <summary>Random well-kinded DSL expressions over the inputs z, w (Embeddings), s, t (Logits), y (Labels), v
    /// (Vector), a hyper-parameter and a temperature; <see cref="Used"/> collects the inputs read.</summary>
    private sealed class Vocabulary
    {
        private readonly Random _r;
        private readonly string _a;
        private readonly string _tau;

        public Vocabulary(Random r, string a, string tau)
        {
            _r = r;
            _a = a;
            _tau = tau;
        }

        public HashSet<string> Used { get; } = new();
        public bool UsesHyper;
        public bool UsesTau;
        public string? LocalRelation;

        private string In(string name) { Used.Add(name); return name; }
        private int N(int k) => _r.Next(k);
        private string Num() => N(6) switch
        {
            0 => "0.5",
            1 => "2.0",
            2 => Hyper(),
            3 => $"({Hyper()} * 0.5)",
            4 => "1.5",
            _ => "3",
        };
        private string Hyper() { UsesHyper = true; return _a; }
        private string Tau() { UsesTau = true; return _tau; }

        public static string TripletsOf(string z, string y) =>
            $"Pairwise(Normalize({z}), Distance.Euclidean).Triplets(SameLabel({y}).ExcludeSelf(), DifferentLabel({y}))";

        public string Embeddings(int d) => (d <= 0 ? N(2) : N(8)) switch
        {
            0 => In("z"),
            1 => In("w"),
            2 => $"Normalize({Embeddings(d - 1)})",
            3 => $"({Embeddings(d - 1)} * {Num()})",
            4 => $"({Embeddings(d - 1)} / {Num()})",
            5 => $"({Embeddings(d - 1)} + {Embeddings(d - 1)})",
            6 => $"Tanh({Embeddings(d - 1)})",
            _ => $"Frozen({Embeddings(d - 1)})",
        };

        public string Logits(int d) => (d <= 0 ? N(2) : N(6)) switch
        {
            0 => In("s"),
            1 => In("t"),
            2 => $"({Logits(d - 1)} / {Tau()})",
            3 => $"({Logits(d - 1)} * {Num()})",
            4 => $"({Logits(d - 1)} - {Logits(d - 1)})",
            _ => $"Frozen({Logits(d - 1)})",
        };

        private string Metric() => N(6) switch
        {
            0 => "Similarity.Dot",
            1 => "Similarity.Cosine",
            2 => "Distance.Euclidean",
            3 => "Distance.SqEuclidean",
            4 => "Distance.L1",
            _ => "Similarity.Dot",
        };

        public string Graph(int d) => (d <= 0 ? N(3) : N(7)) switch
        {
            0 => $"SameLabel({In("y")})",
            1 => $"DifferentLabel({In("y")})",
            2 => "AllPairs()",
            3 => $"{Graph(d - 1)}.ExcludeSelf()",
            4 => $"({Graph(d - 1)} & {Graph(d - 1)})",
            5 => $"({Graph(d - 1)} | {Graph(d - 1)})",
            _ => $"!{Graph(d - 1)}",
        };

        public string Relation(int d)
        {
            if (LocalRelation is not null && N(3) == 0) return LocalRelation;
            return (d <= 0 ? N(2) : N(11)) switch
            {
                0 => $"Pairwise({Embeddings(d - 1)}, {Metric()})",
                1 => $"Pairwise({Embeddings(d - 1)}, {Embeddings(d - 1)}, {Metric()})",
                2 => $"({Relation(d - 1)} * {Num()})",
                3 => $"({Relation(d - 1)} / {Tau()})",
                4 => $"({Relation(d - 1)} + {Relation(d - 1)})",
                5 => $"({Relation(d - 1)} - {Vector(d - 1)})",
                6 => $"Softplus({Relation(d - 1)})",
                7 => $"Relu({Relation(d - 1)} - {Num()})",
                8 => $"Square({Relation(d - 1)})",
                9 => $"Pairwise({Embeddings(d - 1)}, Distance.Euclidean).MeanNormalized()",
                _ => $"(-{Relation(d - 1)})",
            };
        }

        /// <summary>A condition per sample: the rows of a label graph (a graph tied to the batch) that have a pair.</summary>
        private string Anchors(int d) => N(3) switch
        {
            0 => $"SameLabel({In("y")}).ExcludeSelf().HasAny()",
            1 => $"DifferentLabel({In("y")}).HasAny()",
            _ => $"(SameLabel({In("y")}) & {Graph(d)}).HasAny()",
        };

        public string Masked(int d) => $"{Relation(d - 1)}.Over({Graph(d - 1)})";

        public string Vector(int d) => (d <= 0 ? N(3) : N(14)) switch
        {
            0 => In("v"),
            1 => $"Norm({Embeddings(d - 1)})",
            2 => $"{Logits(d - 1)}.RowLogSumExp()",
            3 => $"{Masked(d - 1)}.LogSumExp()",
            4 => $"{Masked(d - 1)}.Sum()",
            5 => $"{Masked(d - 1)}.Mean()",
            6 => $"{Masked(d - 1)}.Max()",
            7 => $"{Masked(d - 1)}.Min()",
            8 => $"CrossEntropyPerSample({Logits(d - 1)}, {In("y")})",
            9 => $"KLPerSample(Softmax({Logits(d - 1)}), LogSoftmax({Logits(d - 1)}))",
            10 => $"({Vector(d - 1)} + {Vector(d - 1)})",
            11 => $"Softplus({Vector(d - 1)} * {Num()})",
            12 => $"{Logits(d - 1)}.Pick({In("y")})",
            _ => $"Dot({Embeddings(d - 1)}, {Embeddings(d - 1)})",
        };

        public string Triplets(int d) => N(5) switch
        {
            0 => $"{Relation(d - 1)}.Triplets({Graph(0)}, {Graph(0)})",
            1 => $"{Relation(d - 1)}.Triplets({Graph(0)}, {Graph(0)}).MineHard()",
            2 => $"{Relation(d - 1)}.Triplets({Graph(0)}, {Graph(0)}).MineSemiHard(0.2)",
            3 => $"Relu({Relation(d - 1)}.Triplets({Graph(0)}, {Graph(0)}) + {Num()})",
            _ => $"{Relation(d - 1)}.AnchorPositive({Graph(0)}, {Graph(0)})",
        };

        public string Real(int d) => (d <= 0 ? N(3) : N(17)) switch
        {
            0 => $"CrossEntropy({Logits(d - 1)}, {In("y")})",
            1 => $"{Vector(d - 1)}.Mean()",
            2 => $"{Masked(d - 1)}.MeanOverPairs()",
            3 => $"KL(Softmax({Logits(d - 1)}), LogSoftmax({Logits(d - 1)}))",
            4 => $"KL(Softmax({In("t")}, {Tau()}), LogSoftmax({In("s")}, {Tau()}))",
            5 => $"Mse({Embeddings(d - 1)}, {Embeddings(d - 1)})",
            6 => $"SmoothL1({Relation(d - 1)}, {Relation(d - 1)}{(N(2) == 0 ? ", 0.5" : "")})",
            7 => $"{Vector(d - 1)}.Sum()",
            8 => $"{Vector(d - 1)}.MeanNonZero()",
            9 => $"{Masked(d - 1)}.SumOverPairs()",
            10 => $"{Masked(d - 1)}.MeanNonZeroOverPairs()",
            11 => $"{Triplets(d - 1)}.Mean()",
            12 => $"{Triplets(d - 1)}.MeanNonZero()",
            13 => $"({Real(d - 1)} + {Real(d - 1)})",
            14 => $"({Real(d - 1)} * {Num()})",
            15 => $"{Vector(d - 1)}.MeanWhere({Anchors(d - 1)})",
            _ => $"({Real(d - 1)} - {Real(d - 1)} / {Num()})",
        };
    }
}
