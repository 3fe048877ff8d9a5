using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace LossDsl.Generators
{
    /// <summary>Names the generated code declares, which terms, hyper-parameters and inputs must not reuse.</summary>
    internal static class ReservedNames
    {
        private static readonly string[] Members =
            { "Compute", "Describe", "Trace", "Ir", "Name", "Inputs", "HyperValues", "UseFusedKernels", "GeneratedSource" };

        private static readonly Regex Locals = new("^(__.*|v[0-9]+|raw_.*|weighted_.*)$");

        /// <summary>A term or hyper-parameter name; reports LD0013 and returns false when it is taken.</summary>
        public static bool CheckMember(string name, SyntaxToken at, DiagnosticBag diagnostics)
        {
            if (Members.Contains(name)) diagnostics.Add(Diagnostics.ReservedName, at, name, "a generated member");
            else if (name.StartsWith("__")) diagnostics.Add(Diagnostics.ReservedName, at, name, "generated members start with __");
            else return true;
            return false;
        }

        /// <summary>An input (term parameter) name, which becomes a parameter of Compute beside generated locals.</summary>
        public static bool CheckInput(string name, SyntaxNode at, DiagnosticBag diagnostics)
        {
            if (!Locals.IsMatch(name)) return true;
            diagnostics.Add(Diagnostics.ReservedName, at, name, "a local of the generated Compute");
            return false;
        }
    }
}
