using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace LossDsl.Generators
{
    /// <summary>Every diagnostic the generator reports. Each id has a page docs/diagnostics/LDxxxx.md.</summary>
    internal static class Diagnostics
    {
        private const string Category = "LossDsl";
        // Help pages live in the repository next to the code (docs/diagnostics/LDxxxx.md); IDEs need an absolute link.
        public const string HelpRoot = "https://github.com/lossdsl/lossdsl/blob/main/docs/diagnostics/";

        public static readonly DiagnosticDescriptor NotPartial = Make("LD0001",
            "[Loss] class must be partial",
            "The [Loss] class '{0}' must be declared partial so the generator can add Compute, Describe and Trace to it",
            "The generator adds members to the class; add the 'partial' modifier.");

        public static readonly DiagnosticDescriptor UnsupportedConstruct = Make("LD0002",
            "Construct not supported in a term",
            "Term '{0}' uses {1}, which the loss DSL does not support",
            "A term body is one DSL expression: calls to DSL functions and methods, arithmetic, parameters, [Hyper] members, constants and literals. Loops, locals, statements and other method calls cannot be differentiated or fused.");

        public static readonly DiagnosticDescriptor InputKindConflict = Make("LD0003",
            "Input declared with two kinds",
            "Input '{0}' is {1} in term '{2}' but {3} in term '{4}'; an input name has one kind across all terms",
            "Term parameters with the same name are the same input of Compute; rename one of them or give both the same type.");

        public static readonly DiagnosticDescriptor KindMismatch = Make("LD0004",
            "Kind mismatch in a DSL call",
            "Term '{0}': {1}",
            "Each DSL function takes values of specific kinds (Logits, Labels, Embeddings, ...), and some generic ones have a run-time form for some kinds only (SmoothL1 of Triplets has none: reduce the triplets first). The message names what was expected and what was given.");

        public static readonly DiagnosticDescriptor TermNotScalar = Make("LD0005",
            "Term must return Real",
            "Term '{0}' returns '{1}', but a term must return LossDsl.Real",
            "Reduce the value to a scalar (Mean(), MeanOverPairs(), a criterion) and declare the method as returning Real.");

        public static readonly DiagnosticDescriptor BadWeight = Make("LD0006",
            "Term weight must be finite and non-negative",
            "Term '{0}' has weight {1}; a weight must be a finite number ≥ 0",
            "Weights multiply the raw term values into the total. Use a finite, non-negative number.");

        public static readonly DiagnosticDescriptor BadTemperature = Make("LD0007",
            "Temperature must be a positive finite number",
            "{0}: temperature {1} must be a positive finite number",
            "Softmax and log-softmax divide by the temperature; a constant passed as one (or the default of a hyper-parameter passed as one, or marked [Temperature]) must be greater than zero and finite, not NaN or infinite. Values set at run time are checked by Compute.");

        public static readonly DiagnosticDescriptor NoTerms = Make("LD0008",
            "[Loss] class has no terms",
            "The [Loss] class '{0}' declares no [Term] method",
            "A loss is a weighted sum of terms. Add at least one method marked [Term].");

        public static readonly DiagnosticDescriptor BadInputType = Make("LD0009",
            "Term parameter is not a loss input",
            "Parameter '{0}' of term '{1}' has type '{2}'; a term parameter must be a DSL input kind (Logits, Labels, Embeddings, Probs, LogProbs, Tokens, Indices, Vector, Real)",
            "Term parameters become tensor inputs of Compute. Use hyper-parameters ([Hyper]) for numbers.");

        public static readonly DiagnosticDescriptor BadHyper = Make("LD0010",
            "Hyper-parameter must be a number",
            "Hyper-parameter '{0}' has type '{1}'; use a readable float, double or int",
            "Hyper-parameters are host numbers used in term formulas: an instance field or a property with a getter returning by value, of type float, double or int.");

        public static readonly DiagnosticDescriptor UnsupportedClass = Make("LD0011",
            "[Loss] class shape not supported",
            "The [Loss] class '{0}' is {1}, which the generator does not support",
            "Declare [Loss] classes as non-generic, non-static, top-level (not nested), non-file-local partial classes, not records: the generator adds its part in another file, at namespace level.");

        public static readonly DiagnosticDescriptor DuplicateTerm = Make("LD0012",
            "Duplicate term name",
            "Term name '{0}' is used by more than one [Term] method; term names must be unique",
            "Terms are reported by name in LossResult; overloads cannot share a name.");

        public static readonly DiagnosticDescriptor ReservedName = Make("LD0013",
            "Name reserved by the generated code",
            "'{0}' is a name the generated code uses ({1}); rename it",
            "The generator adds members (Compute, Describe, Trace, Ir, Name, Inputs, HyperValues, UseFusedKernels, NonFiniteInputs, MinimumFusedPairs, FusedRegions, GeneratedSource, names starting with __) and locals (v<n>, raw_*, weighted_*, names starting with __) to the class; the class itself, its members and its inputs cannot reuse them.");

        public static readonly DiagnosticDescriptor BadTermSignature = Make("LD0014",
            "Term signature not supported",
            "Term '{0}' {1}; a term is a non-generic method whose parameters are plain inputs",
            "Term parameters are tensors passed to Compute by value; generic methods and ref, out, in or params parameters cannot be called with symbolic inputs.");

        public static readonly DiagnosticDescriptor ShapeMismatch = Make("LD0015",
            "Dimensions that cannot agree",
            "Term '{0}': {1}",
            "Each operation needs some dimensions of its arguments to be equal (the features of two compared rows, the samples of logits and labels). Dimensions named differently in [Dims] are different dimensions; give them one name if they are the same.");

        public static readonly DiagnosticDescriptor BadDims = Make("LD0016",
            "Invalid dimensions on an input",
            "Input '{0}' of term '{1}': {2}",
            "[Dims(\"N\", \"D\")] names one dimension per axis: a C# identifier-like name or a positive literal size, each at most once per input. An input declared in several terms needs the same [Dims] and [Ignore] everywhere.");

        public static readonly DiagnosticDescriptor NotConstant = Make("LD0017",
            "Argument must be a constant",
            "Term '{0}': argument '{1}' of '{2}' must be a compile-time constant",
            "Some arguments are part of the operation itself (a metric, an axis name, a column index): the generator needs their value. Use a literal or a const.");

        public static readonly DiagnosticDescriptor RuntimeMissing = Make("LD0018",
            "LossDsl runtime not referenced",
            "The [Loss] class '{0}' needs the LossDsl runtime (LossDsl.Runtime.dll), which this project does not reference; add the LossDsl package (or a reference to src/Runtime)",
            "The code generated for a [Loss] class calls LossDsl.Runtime (and TorchSharp). The LossDsl package brings both; a project that references the source projects needs src/Runtime as well as src/Dsl and the generator.");

        public static readonly DiagnosticDescriptor InternalError = Make("LD9999",
            "Internal generator error",
            "The LossDsl generator failed on '{0}': {1}. Please report this with the declaration.",
            "The generator never throws; an unexpected failure is reported here instead of crashing the build.");

        public static readonly IReadOnlyDictionary<string, DiagnosticDescriptor> ById =
            new[] { NotPartial, UnsupportedConstruct, InputKindConflict, KindMismatch, TermNotScalar, BadWeight,
                    BadTemperature, NoTerms, BadInputType, BadHyper, UnsupportedClass, DuplicateTerm, ReservedName, BadTermSignature,
                    ShapeMismatch, BadDims, NotConstant, RuntimeMissing, InternalError }
                .ToDictionary(d => d.Id);

        private static DiagnosticDescriptor Make(string id, string title, string message, string description) =>
            new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
                description: description, helpLinkUri: HelpRoot + id + ".md");
    }
}
