using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LossDsl.Generators
{
    /// <summary>Finds <c>[Loss]</c> classes, lowers their terms to IR, checks them, and emits
    /// <c>Compute</c>, <c>Describe</c>, <c>Trace</c> and fused kernels. This file only wires the pipeline:
    /// <see cref="Parser"/> reads syntax into an immutable model, <see cref="Emitter"/> writes code.</summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class LossGenerator : IIncrementalGenerator
    {
        public const string LossAttributeName = "LossDsl.LossAttribute";

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var parsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    LossAttributeName,
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    static (ctx, ct) => Parser.Parse(ctx, ct))
                .WithTrackingName(TrackingNames.Parse);

            // Diagnostics and code flow separately: a change that only moves a diagnostic re-emits nothing.
            var diagnostics = parsed
                .Select(static (result, _) => result.Diagnostics)
                .WithTrackingName(TrackingNames.Diagnostics);
            context.RegisterSourceOutput(diagnostics, static (spc, list) =>
            {
                foreach (var info in list)
                    spc.ReportDiagnostic(Diagnostic.Create(
                        Diagnostics.ById[info.Id], info.Location?.ToLocation() ?? Location.None, info.Args.ToArray<object>()));
            });

            var models = parsed
                .Select(static (result, _) => result.Model)
                .Where(static model => model is not null)
                .WithTrackingName(TrackingNames.Model);
            context.RegisterSourceOutput(models, static (spc, model) =>
            {
                try
                {
                    spc.AddSource(Emitter.HintName(model!), Emitter.Emit(model!));
                }
                catch (Exception ex)
                {
                    // The generator never throws: an emitter bug becomes a diagnostic, not CS8785.
                    spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.InternalError, Location.None, model!.ClassName, ex.Message));
                }
            });
        }
    }
}
