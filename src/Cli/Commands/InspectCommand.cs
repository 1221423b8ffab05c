using System.CommandLine;
using System.Globalization;
using Pipeline.Compiler.Emit;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Runtime.Torch.Safetensors;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline inspect DLL</c>: the source hash, the stages with their kinds and hashes, and the canonical source, read
/// without loading the assembly. <c>pipeline inspect FILE.safetensors</c>: a model file's metadata (provenance and
/// hyperparameters) and its tensors' dtypes and shapes, read from the header alone.
/// </summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A compiled experiment assembly (.dll) or a model file (.safetensors)." };
        var command = new Command("inspect", "Print what a compiled experiment embeds (source hash, versions, stage hashes, canonical source) or a model file's metadata and tensor shapes.");
        command.Arguments.Add(file);
        command.SetAction(parsed => Run(parsed.GetValue(file)!, Console.Out));
        return command;
    }

    public static int Run(string path, TextWriter output)
    {
        if (path.EndsWith(ModelFile.Extension, StringComparison.OrdinalIgnoreCase))
        {
            return RunModelFile(path, output);
        }

        if (!File.Exists(path))
        {
            throw new UsageException($"cannot read '{path}': no such file.");
        }

        ExperimentAssemblyInfo? info;
        try
        {
            info = ExperimentAssemblyInfo.Read(path);
        }
        catch (BadImageFormatException)
        {
            info = null;
        }

        if (info is null)
        {
            throw new UsageException($"'{path}' is not a compiled experiment; compile one with 'pipeline compile FILE'.");
        }

        output.WriteLine($"experiment        {info.Experiment}");
        output.WriteLine($"source sha256     {info.SourceSha256}");
        output.WriteLine($"compiler version  {info.CompilerVersion}");
        output.WriteLine($"runtime version   {info.RuntimeVersion}");
        output.WriteLine("stages");
        var width = info.Stages.Select(s => s.Name.Length).DefaultIfEmpty(0).Max();
        foreach (var (name, kind, hash) in info.Stages)
        {
            output.WriteLine($"  {name.PadRight(width)}  {kind,-18} {hash}");
        }

        output.WriteLine("canonical source");
        output.Write(info.CanonicalSource);
        return CommandHost.Success;
    }

    /// <summary>Every metadata key (sorted, one line each, control characters escaped) and every tensor in the order of its data.</summary>
    private static int RunModelFile(string path, TextWriter output)
    {
        var file = SafetensorsFile.Open(path);
        var metadata = file.Metadata;
        var values = file.Tensors.Sum(t => t.Count);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"file      {DiagnosticFormatter.OneLine(path)} ({file.Length:N0} bytes, {file.Tensors.Count} tensors, {values:N0} values)"));
        output.WriteLine(metadata.TryGetValue(ModelMetadata.Model, out var model)
            ? $"model     {DiagnosticFormatter.OneLine(model)} ({DiagnosticFormatter.OneLine(metadata.GetValueOrDefault(ModelMetadata.Format, "no format"))})"
            : "model     (no pipeline.model: not a Pipeline model file)");
        output.WriteLine("metadata");
        var keyWidth = metadata.Keys.Select(k => Math.Min(k.Length, 40)).DefaultIfEmpty(0).Max();
        foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {DiagnosticFormatter.OneLine(key).PadRight(keyWidth)}  {DiagnosticFormatter.OneLine(value)}");
        }

        output.WriteLine("tensors");
        var nameWidth = file.Tensors.Select(t => Math.Min(t.Name.Length, 60)).DefaultIfEmpty(0).Max();
        foreach (var tensor in file.Tensors)
        {
            output.WriteLine($"  {DiagnosticFormatter.OneLine(tensor.Name).PadRight(nameWidth)}  {tensor.DType,-4}  [{string.Join(", ", tensor.Shape)}]");
        }

        return CommandHost.Success;
    }
}
