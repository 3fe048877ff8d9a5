using LossDsl.Generators.Fusion;
using LossDsl.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Generators
{
    /// <summary>Where a diagnostic goes, kept as plain values so the pipeline can cache it.</summary>
    internal sealed record LocationInfo(string Path, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(Path, Span, LineSpan);

        public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

        public static LocationInfo? From(Location location) =>
            location.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    /// <summary>A diagnostic to report: its id (see <see cref="Diagnostics"/>), place and message arguments.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Args);

    /// <summary>Everything the emitters need to generate one loss class.</summary>
    /// <param name="Namespace">Containing namespace, or "" for the global namespace.</param>
    /// <param name="Ir">The loss as written (what <c>Ir</c> and <c>Trace()</c> give).</param>
    /// <param name="Computed">The loss in canonical form (<see cref="Canonicalize"/>): what <c>Compute</c> evaluates
    /// and the fusion planner reads; <see cref="Regions"/> refer to its nodes.</param>
    internal sealed record LossModel(
        string Namespace,
        string ClassName,
        LossIr Ir,
        LossIr Computed,
        EquatableArray<TermSignature> Terms,
        EquatableArray<FusedRegion> Regions)
    {
        /// <summary><c>[Loss(AllowEmptyBatch = true)]</c>: Compute accepts N = 0.</summary>
        public bool AllowEmptyBatch { get; init; }
    }

    /// <summary>How to call a term method with symbolic inputs (for the generated <c>Trace()</c>).</summary>
    internal sealed record TermSignature(string Method, EquatableArray<TermParameter> Parameters);

    /// <summary>A term parameter: the input it names, its kind, whether it is <c>[Frozen]</c>, and its declared
    /// dimensions and ignored label index (<c>[Dims]</c>, <c>[Ignore]</c>).</summary>
    internal sealed record TermParameter(string Name, ValueKind Kind, bool Frozen, InputAttr Attr);

    /// <summary>The transform's output: a model to emit (null when the class cannot be generated)
    /// and the diagnostics found on the way.</summary>
    internal sealed record ParseResult(LossModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
}
