extern alias LossDslGenerator;

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using LossDslGenerator::LossDsl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LossDsl.Tests.Generator
{
    /// <summary>A source file given to the generator: its path (only the file name shows, in
    /// <c>File.cs:line</c> comments and diagnostic locations) and its text.</summary>
    internal sealed record TestSource(string Path, string Text);

    /// <summary>One generated file: its hint name (<c>Namespace.Type.g.cs</c>), its text without the
    /// <c>GeneratedSource</c> constant (which repeats the rest of the file; snapshots and searches read this) and
    /// the whole file as emitted.</summary>
    internal sealed record GeneratedFile(string HintName, string Text, string FullText)
    {
        public static GeneratedFile From(string hintName, string fullText) => new(hintName, WithoutGeneratedSource(fullText), fullText);

        /// <summary>The file less its last member, the <c>GeneratedSource</c> constant with its blank line,
        /// summary and attribute: what the constant holds (GeneratorSurfaceTests).</summary>
        public static string WithoutGeneratedSource(string text)
        {
            var summary = text.IndexOf("/// <summary>This file as generated, without this constant", StringComparison.Ordinal);
            if (summary < 0) return text;
            var from = text.LastIndexOf('\n', summary - 1);
            var to = text.LastIndexOf("\";\n", StringComparison.Ordinal) + 3;
            return text.Remove(from, to - from);
        }
    }

    /// <summary>What the metadata references of a test compilation contain.</summary>
    internal enum References
    {
        /// <summary>The framework, LossDsl.Dsl, LossDsl.Runtime and TorchSharp: what the LossDsl package gives
        /// a project, enough for the generated code to compile.</summary>
        Dsl,

        /// <summary>The framework and LossDsl.Dsl only, without the runtime: the generator reports LD0018.</summary>
        DslWithoutRuntime,

        /// <summary>Everything the test host loads (framework, Dsl, Runtime, TorchSharp, ...): the
        /// generated code can compile.</summary>
        Runtime,
    }

    /// <summary>Runs <see cref="LossGenerator"/> in memory, the way the compiler does, over given sources.
    /// Metadata references are built once per process and shared by every test.</summary>
    internal static class GeneratorHarness
    {
        /// <summary>The usings every DSL source starts with.</summary>
        public const string Prelude = "using LossDsl;\nusing static LossDsl.Dsl;\n";

        public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

        private static readonly CSharpCompilationOptions CompilationOptions =
            new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

        private static readonly Lazy<ImmutableArray<MetadataReference>> DslOnlyReferences = new(() => Create(Framework()
            .Append(typeof(LossDsl.Dsl).Assembly.Location)));

        private static readonly Lazy<ImmutableArray<MetadataReference>> DslReferences = new(() => Create(Framework()
            .Append(typeof(LossDsl.Dsl).Assembly.Location)
            .Append(typeof(LossDsl.Runtime.ILoss).Assembly.Location)
            .Append(typeof(TorchSharp.torch).Assembly.Location)));

        private static IEnumerable<string> Framework()
        {
            var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            return TrustedPlatformAssemblies().Where(p => string.Equals(Path.GetDirectoryName(p), framework, StringComparison.Ordinal));
        }

        // Not the generator's own assembly: it compiles the IR sources too, and users never reference it.
        private static readonly Lazy<ImmutableArray<MetadataReference>> RuntimeReferences = new(() =>
            Create(TrustedPlatformAssemblies()
                .Where(p => !string.Equals(p, typeof(LossGenerator).Assembly.Location, StringComparison.Ordinal))
                .Append(typeof(LossDsl.Dsl).Assembly.Location)));

        public static ImmutableArray<MetadataReference> ReferencesFor(References references) => references switch
        {
            References.Runtime => RuntimeReferences.Value,
            References.DslWithoutRuntime => DslOnlyReferences.Value,
            _ => DslReferences.Value,
        };

        /// <summary>Runs the generator over sources named <c>Source0.cs</c>, <c>Source1.cs</c>, ...</summary>
        public static GeneratorRun Run(params string[] sources) =>
            Run(sources.Select((text, i) => new TestSource($"Source{i}.cs", text)));

        public static GeneratorRun Run(IEnumerable<TestSource> sources, References references = References.Dsl)
        {
            var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path));
            var compilation = CSharpCompilation.Create("LossDslGeneratorTest", trees, ReferencesFor(references), CompilationOptions);
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                new[] { new LossGenerator().AsSourceGenerator() },
                additionalTexts: null,
                parseOptions: ParseOptions,
                optionsProvider: null,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
            return GeneratorRun.From(driver, compilation);
        }

        /// <summary>Runs the same driver again over an edited compilation, so its cache applies.</summary>
        public static GeneratorRun Rerun(GeneratorRun previous, Compilation edited) => GeneratorRun.From(previous.Driver, edited);

        private static IEnumerable<string> TrustedPlatformAssemblies() =>
            ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

        private static ImmutableArray<MetadataReference> Create(IEnumerable<string> paths) =>
            paths.Distinct(StringComparer.Ordinal)
                .Where(File.Exists)
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .ToImmutableArray();
    }

    /// <summary>The outcome of one generator run.</summary>
    internal sealed class GeneratorRun
    {
        private GeneratorRun(GeneratorDriver driver, Compilation input, Compilation output,
            ImmutableArray<Diagnostic> driverDiagnostics)
        {
            Driver = driver;
            Input = input;
            Output = output;
            RunResult = driver.GetRunResult();
            var result = RunResult.Results.Single();
            Exception = result.Exception;
            Sources = result.GeneratedSources
                .Select(s => GeneratedFile.From(s.HintName, s.SourceText.ToString()))
                .OrderBy(f => f.HintName, StringComparer.Ordinal)
                .ToImmutableArray();
            GeneratorDiagnostics = driverDiagnostics.AddRange(result.Diagnostics).Distinct().ToImmutableArray();
            _outputDiagnostics = new Lazy<ImmutableArray<Diagnostic>>(() => output.GetDiagnostics());
        }

        // Binding every method body is the costly part of a run: only tests that look at it pay.
        private readonly Lazy<ImmutableArray<Diagnostic>> _outputDiagnostics;

        internal static GeneratorRun From(GeneratorDriver driver, Compilation compilation)
        {
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
            return new GeneratorRun(driver, compilation, output, diagnostics);
        }

        /// <summary>The driver after the run: rerun it to exercise the incremental cache.</summary>
        public GeneratorDriver Driver { get; }

        public Compilation Input { get; }

        /// <summary>The input compilation plus the generated sources.</summary>
        public Compilation Output { get; }

        public GeneratorDriverRunResult RunResult { get; }

        /// <summary>What the generator threw, if it did (the compiler turns it into CS8785).</summary>
        public Exception? Exception { get; }

        /// <summary>Generated files, ordered by hint name.</summary>
        public ImmutableArray<GeneratedFile> Sources { get; }

        /// <summary>Everything the driver reported: LDxxxx diagnostics, and CS8785 if the generator threw.</summary>
        public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

        /// <summary>The LossDsl diagnostics only.</summary>
        public ImmutableArray<Diagnostic> LossDiagnostics =>
            GeneratorDiagnostics.Where(d => d.Id.StartsWith("LD", StringComparison.Ordinal)).ToImmutableArray();

        /// <summary>The diagnostics of <see cref="Output"/> (C# errors in the user's and the generated code).</summary>
        public ImmutableArray<Diagnostic> OutputDiagnostics => _outputDiagnostics.Value;

        public IEnumerable<Diagnostic> OutputErrors => OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

        /// <summary>Output errors located in generated files.</summary>
        public IEnumerable<Diagnostic> ErrorsInGeneratedCode =>
            OutputErrors.Where(d => d.Location.SourceTree is { } tree && !Input.SyntaxTrees.Contains(tree));

        /// <summary>Errors in generated code other than the missing LossDsl.Runtime and TorchSharp
        /// (which a <see cref="References.Dsl"/> compilation lacks on purpose).</summary>
        public IEnumerable<Diagnostic> ErrorsInGeneratedCodeBesidesMissingRuntime =>
            ErrorsInGeneratedCode.Where(d => !MissesRuntime(d));

        /// <summary>An error that only says LossDsl.Runtime or TorchSharp is not referenced.</summary>
        public static bool MissesRuntime(Diagnostic d)
        {
            // A formula struct's M.Exp(...) on a type parameter whose constraint (the runtime's IPairMath) is unresolved.
            if (d.Id == "CS0704") return d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("'M'");
            if (d.Id is not ("CS0234" or "CS0246" or "CS0400")) return false;
            var message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            return message.Contains("'Runtime'") || message.Contains("'TorchSharp'");
        }

        /// <summary>Signs that the generator crashed rather than reporting: an exception, CS8785
        /// (generator threw) or AD0001 (analyzer threw), both of which the driver reports.</summary>
        public IEnumerable<string> Crashes =>
            GeneratorDiagnostics
                .Where(d => d.Id is "CS8785" or "AD0001")
                .Select(d => d.ToString())
                .Concat(Exception is null ? Array.Empty<string>() : new[] { Exception.ToString() });

        public GeneratedFile Source(string hintName) =>
            Sources.SingleOrDefault(s => s.HintName == hintName)
            ?? throw new InvalidOperationException($"No generated source '{hintName}'; generated: {string.Join(", ", Sources.Select(s => s.HintName))}");

        /// <summary>The steps of one tracking name (see <see cref="TrackingNames"/>).</summary>
        public ImmutableArray<IncrementalGeneratorRunStep> Steps(string trackingName) =>
            RunResult.Results.Single().TrackedSteps.TryGetValue(trackingName, out var steps) ? steps : ImmutableArray<IncrementalGeneratorRunStep>.Empty;

        /// <summary>Compiles <see cref="Output"/> (user and generated code; run with <see cref="References.Runtime"/>)
        /// into an assembly and loads it, so tests can run what the generator emitted.</summary>
        /// <exception cref="InvalidOperationException">The output does not compile; the message lists the errors.</exception>
        public System.Reflection.Assembly Load()
        {
            using var image = new MemoryStream();
            var emitted = Output.Emit(image);
            if (!emitted.Success)
                throw new InvalidOperationException("The output does not compile:\n" +
                    Show(emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
            return System.Reflection.Assembly.Load(image.ToArray());
        }

        /// <summary>A readable dump of diagnostics, for assertion messages.</summary>
        public static string Show(IEnumerable<Diagnostic> diagnostics) =>
            string.Join("\n", diagnostics.Select(d => "  " + d));
    }
}
