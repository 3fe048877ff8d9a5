using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using LossDsl.Tests.Generator;

namespace LossDsl.Tests.Snapshots
{
    /// <summary>The losses whose generated sources are snapshotted: every <c>[Loss]</c> class of the
    /// repository's zoo (src/Runtime/Zoo) and of examples/Distillation, read from the checkout so the
    /// snapshots show what users get, plus losses that exercise what the zoo does not (inline, and the zoo's
    /// NT-Xent with fusion off).</summary>
    internal static class RepresentativeLosses
    {
        /// <summary>A group of sources compiled together, as their project compiles them.</summary>
        private sealed record Group(string Name, IReadOnlyList<TestSource> Sources);

        private static readonly Lazy<IReadOnlyList<Group>> Groups = new(LoadGroups);

        private static readonly Dictionary<string, Lazy<GeneratorRun>> Runs =
            new(StringComparer.Ordinal);

        /// <summary>Case ids "group:ClassName", in a stable order.</summary>
        public static IEnumerable<string> CaseIds =>
            Groups.Value.SelectMany(g => g.Sources.SelectMany(s => LossClasses(s.Text)).Select(c => g.Name + ":" + c))
                .Distinct(StringComparer.Ordinal);

        /// <summary>The generated file of the loss class of a case id.</summary>
        public static GeneratedFile Generate(string caseId)
        {
            var colon = caseId.IndexOf(':');
            var (groupName, className) = (caseId.Substring(0, colon), caseId.Substring(colon + 1));
            var run = RunOf(groupName);
            Assert.Empty(run.Crashes);
            Assert.True(run.GeneratorDiagnostics.IsEmpty, $"Diagnostics for group {groupName}:\n" + GeneratorRun.Show(run.GeneratorDiagnostics));
            return run.Sources.SingleOrDefault(s => s.HintName == className + ".g.cs" || s.HintName.EndsWith("." + className + ".g.cs", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException($"No source generated for {className}: {string.Join(", ", run.Sources.Select(s => s.HintName))}");
        }

        /// <summary>The snapshot name of a generated file: its hint name without ".cs".</summary>
        public static string SnapshotName(GeneratedFile file) => file.HintName.Substring(0, file.HintName.Length - ".cs".Length);

        /// <summary>All generated files of every group (for the orphan check).</summary>
        public static IEnumerable<GeneratedFile> All() => CaseIds.Select(Generate);

        /// <summary>Every group generated again by a new driver over new compilations (no cache shared).</summary>
        public static IEnumerable<GeneratedFile> AllFresh() =>
            Groups.Value.SelectMany(g => GeneratorHarness.Run(g.Sources).Sources);

        private static GeneratorRun RunOf(string groupName)
        {
            Lazy<GeneratorRun> run;
            lock (Runs)
            {
                if (!Runs.TryGetValue(groupName, out run!))
                {
                    var group = Groups.Value.Single(g => g.Name == groupName);
                    Runs[groupName] = run = new Lazy<GeneratorRun>(() => GeneratorHarness.Run(group.Sources));
                }
            }
            return run.Value;
        }

        private static readonly Regex LossClass = new(
            @"\[\s*Loss\b[^\]]*\]\s*(?:\[[^\]]*\]\s*)*(?:(?:public|internal|sealed|abstract|partial)\s+)*class\s+(\w+)",
            RegexOptions.Compiled);

        /// <summary>Names of the classes declared with [Loss] in a source, by a light scan (no compilation,
        /// so test discovery stays cheap).</summary>
        private static IEnumerable<string> LossClasses(string text) =>
            LossClass.Matches(text).Cast<Match>().Select(m => m.Groups[1].Value);

        private static IReadOnlyList<Group> LoadGroups()
        {
            var groups = new List<Group>
            {
                Repository("zoo", "src/Runtime/Zoo"),
                Repository("distillation", "examples/Distillation"),
                Repository("contrastive", "examples/Contrastive"),
                Repository("unlearning", "examples/Unlearning"),
                Repository("preference", "examples/Preference"),
            };
            groups.AddRange(Inline.Select(i => new Group(i.name, new[] { new TestSource(i.name + ".cs", i.source) })));
            groups.Add(UnfusedNtXent());
            return groups;
        }

        /// <summary>The .cs files of a repository folder that declare a [Loss], with paths relative to the
        /// repository (only the file name reaches the generated code). The snapshots show what users get, so
        /// the tests read the checkout's own sources.</summary>
        private static Group Repository(string name, string folder) => new(name, LossSourcesIn(folder));

        private static List<TestSource> LossSourcesIn(string folder)
        {
            var root = RepositoryRoot.Find();
            var directory = root is null ? null : Path.Combine(root, folder);
            var sources = directory is not null && Directory.Exists(directory)
                ? Directory.GetFiles(directory, "*.cs", SearchOption.TopDirectoryOnly)
                    .OrderBy(p => p, StringComparer.Ordinal)
                    .Select(p => new TestSource(folder + "/" + Path.GetFileName(p), File.ReadAllText(p)))
                    .Where(s => LossClasses(s.Text).Any())
                    .ToList()
                : new List<TestSource>();
            if (sources.Count == 0)
                throw new InvalidOperationException($"No [Loss] class found in {folder}: run the tests from a checkout of the repository.");
            return sources;
        }

        /// <summary>The zoo's NT-Xent with <c>[Loss(Fuse = false)]</c>, renamed: the plain TorchSharp path only,
        /// derived from the zoo source rather than copied.</summary>
        private static Group UnfusedNtXent()
        {
            var zoo = LossSourcesIn("src/Runtime/Zoo").Single(s => s.Path.EndsWith("/NtXent.cs", StringComparison.Ordinal));
            var text = zoo.Text.Replace("[Loss]", "[Loss(Fuse = false)]").Replace("partial class NtXent", "partial class UnfusedNtXent");
            return new Group("UnfusedNtXent", new[] { new TestSource("UnfusedNtXent.cs", text) });
        }

        // ---- Inline losses --------------------------------------------------------------------------

        /// <summary>Always snapshotted: constructs the zoo does not use, so their emitted code is reviewed too.</summary>
        private static readonly (string name, string source)[] Inline =
        {
            ("EmitterCoverage", GeneratorHarness.Prelude + @"
namespace LossDsl.Snapshots
{
    /// <summary>Not a useful loss: one of most constructs the emitter handles (int and float hypers,
    /// negation, relation ⊕ vector broadcasting, every metric, semi-hard mining, keyword names, weight 0).</summary>
    [Loss]
    public partial class EmitterCoverage
    {
        [Hyper] public int K { get; set; } = 2;
        [Hyper] public float Margin { get; set; } = 0.5f;
        [Hyper] public double T { get; set; } = 2.0;

        [Term(Weight = 0)]
        public Real Elementwise(Embeddings e) =>
            Mse(Exp(-e) + Log(Abs(e) + 1.0) - Sqrt(Square(e) + 1e-6) * Sigmoid(e) / (2.0 - e), LogSigmoid(Frozen(e)) * K);

        [Term(Weight = 0.25)]
        public Real Broadcast(Embeddings e, Labels y, Vector w) =>
            (Pairwise(Normalize(e), Similarity.Cosine) * w - w / T).Over(SameLabel(y)).Sum().Mean()
            + (Pairwise(e, Distance.SqEuclidean) + Norm(e)).Over(AllPairs().ExcludeSelf()).Mean().Sum();

        [Term]
        public Real Mined(Embeddings e, Labels y) =>
            Relu(Pairwise(e, e, Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y)).MineSemiHard(Margin) + Margin).Mean()
            + Pairwise(e, Distance.Euclidean).Over(DifferentLabel(y)).SumOverPairs() / (K * T);

        [Term(Weight = 2)]
        public Real Probabilities(Probs p, LogProbs q, Real bias) => KL(p, q) + bias * -1.5 + Mse(p, p / 2.0);

        [Term]
        public Real Keywords(Logits @class, Labels @event) => CrossEntropy(@class, @event) + Mse(Softmax(@class, T), Softmax(@class));
    }
}
"),
        };
    }
}
