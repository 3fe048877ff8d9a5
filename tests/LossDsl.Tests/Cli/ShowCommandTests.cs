using System.IO;
using LossDsl.Cli;
using LossDsl.Runtime;
using LossDsl.Tests.Snapshots;

namespace LossDsl.Tests.Cli;

/// <summary><c>lossdsl show</c> reads the <c>GeneratedSource</c> constant of a loss from an assembly's metadata.</summary>
public sealed class ShowCommandTests
{
    private static readonly string Runtime = typeof(ILoss).Assembly.Location;

    private static (int Code, string Output, string Error) Show(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = ShowCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Prints_a_zoo_loss_as_its_approved_snapshot()
    {
        var (code, output, error) = Show("show", Runtime, "NtXent");
        Assert.True(code == 0, error);
        var approved = File.ReadAllText(Path.Combine(RepositoryRoot.Find()!, "tests", "LossDsl.Tests", "Snapshots", "Approved", "LossDsl.Zoo.NtXent.g.approved.cs"));
        Assert.Equal(approved.Replace("\r\n", "\n"), output);
    }

    [Fact]
    public void Takes_the_full_name_and_lists_the_losses_without_a_type()
    {
        Assert.Equal(0, Show("show", Runtime, "LossDsl.Zoo.SupCon").Code);
        var (code, output, _) = Show("show", Runtime);
        Assert.Equal(0, code);
        Assert.Contains("  LossDsl.Zoo.NtXent\n", output);
        Assert.Contains("  LossDsl.Zoo.DpoSigmoid\n", output);
    }

    [Fact]
    public void An_unknown_type_exits_1_and_lists_the_losses()
    {
        var (code, _, error) = Show("show", Runtime, "NoSuchLoss");
        Assert.Equal(1, code);
        Assert.Contains("no loss 'NoSuchLoss'", error);
        Assert.Contains("LossDsl.Zoo.NtXent", error);
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_exits_2()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "not a PE file");
        try { Assert.Equal(2, Show("show", path, "X").Code); }
        finally { File.Delete(path); }
    }
}
