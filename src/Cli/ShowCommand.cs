using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace LossDsl.Cli;

/// <summary><c>lossdsl show ASSEMBLY [TYPE]</c>: prints the source the generator made for a <c>[Loss]</c> class, from
/// the <c>GeneratedSource</c> constant it puts on the class. Reads metadata only: nothing in the assembly runs, and
/// its dependencies need not be there.</summary>
public static class ShowCommand
{
    public const string Usage =
        """
        Usage: lossdsl show <ASSEMBLY.dll> [TYPE]

        Prints the code the LossDsl generator made for the [Loss] class TYPE (its name, or its full
        name with the namespace) compiled into ASSEMBLY. Without TYPE, lists the assembly's losses.
        Exit status: 0 when printed; 1 when TYPE is not a loss of the assembly (the losses are listed);
        2 for a usage error or a file that is not a .NET assembly.
        """;

    /// <summary>A loss found in an assembly: its full name and generated source.</summary>
    public sealed record GeneratedLoss(string FullName, string Source);

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            output.WriteLine(Usage);
            return 0;
        }
        if (args.Count is < 2 or > 3)
        {
            error.WriteLine("lossdsl show: give an assembly and, optionally, a loss type.");
            error.WriteLine(Usage);
            return 2;
        }
        IReadOnlyList<GeneratedLoss> losses;
        try
        {
            losses = Losses(args[1]);
        }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or UnauthorizedAccessException or InvalidOperationException)
        {
            error.WriteLine($"lossdsl show: cannot read '{args[1]}' as a .NET assembly: {ex.Message}");
            return 2;
        }
        if (args.Count == 2)
        {
            output.WriteLine(losses.Count == 0
                ? $"No LossDsl losses in {Path.GetFileName(args[1])}."
                : $"LossDsl losses in {Path.GetFileName(args[1])}:\n" + string.Join("\n", losses.Select(l => "  " + l.FullName)));
            return 0;
        }
        var name = args[2];
        var matches = losses.Where(l => l.FullName == name).ToList();
        if (matches.Count == 0) matches = losses.Where(l => l.FullName.Split('.')[^1] == name).ToList();
        if (matches.Count == 1)
        {
            output.Write(matches[0].Source);
            return 0;
        }
        error.WriteLine(matches.Count == 0
            ? $"lossdsl show: no loss '{name}' in {Path.GetFileName(args[1])}."
            : $"lossdsl show: '{name}' names {matches.Count} losses; give the full name.");
        error.WriteLine(losses.Count == 0
            ? "The assembly has no LossDsl losses (or was built with a LossDsl older than 0.2)."
            : "Its losses:\n" + string.Join("\n", (matches.Count > 0 ? matches : losses).Select(l => "  " + l.FullName)));
        return 1;
    }

    /// <summary>Every type of the assembly with a string constant <c>GeneratedSource</c>, by full name.</summary>
    public static IReadOnlyList<GeneratedLoss> Losses(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) throw new BadImageFormatException("no .NET metadata");
        var metadata = pe.GetMetadataReader();
        var found = new List<GeneratedLoss>();
        foreach (var handle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(handle);
            foreach (var fieldHandle in type.GetFields())
            {
                var field = metadata.GetFieldDefinition(fieldHandle);
                if (metadata.GetString(field.Name) != "GeneratedSource") continue;
                var constantHandle = field.GetDefaultValue();
                if (constantHandle.IsNil) continue;
                var constant = metadata.GetConstant(constantHandle);
                if (constant.TypeCode != ConstantTypeCode.String) continue;
                var blob = metadata.GetBlobReader(constant.Value);
                var source = blob.ReadUTF16(blob.Length);
                found.Add(new GeneratedLoss(FullName(metadata, type), source));
            }
        }
        return found.OrderBy(l => l.FullName, StringComparer.Ordinal).ToList();
    }

    private static string FullName(MetadataReader metadata, TypeDefinition type)
    {
        var name = metadata.GetString(type.Name);
        if (type.IsNested) return FullName(metadata, metadata.GetTypeDefinition(type.GetDeclaringType())) + "+" + name;
        var ns = metadata.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
