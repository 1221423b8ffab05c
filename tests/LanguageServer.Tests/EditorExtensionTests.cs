using System.Text.Json.Nodes;
using Pipeline.Tests.Shared;

namespace Pipeline.LanguageServer.Tests;

/// <summary>The VS Code extension in editors/vscode stays in step with the language and the server.</summary>
public sealed class EditorExtensionTests
{
    private static readonly string Extension = Path.Combine(RepoPaths.Root, "editors", "vscode");

    [Fact]
    public void The_extensions_grammar_is_byte_for_byte_the_one_in_grammar()
    {
        var source = File.ReadAllBytes(Path.Combine(RepoPaths.Root, "grammar", "pipeline.tmLanguage.json"));
        var copy = File.ReadAllBytes(Path.Combine(Extension, "syntaxes", "pipeline.tmLanguage.json"));
        Assert.True(source.AsSpan().SequenceEqual(copy), "editors/vscode/syntaxes/pipeline.tmLanguage.json differs from grammar/pipeline.tmLanguage.json; copy grammar/'s over it.");
    }

    [Fact]
    public void The_manifest_names_files_that_exist_the_grammars_scope_and_the_server_command()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Extension, "package.json")))!;
        var contributes = manifest["contributes"]!;
        var grammar = contributes["grammars"]![0]!;
        var language = contributes["languages"]![0]!;
        Assert.True(File.Exists(Path.Combine(Extension, grammar["path"]!.GetValue<string>())));
        Assert.True(File.Exists(Path.Combine(Extension, language["configuration"]!.GetValue<string>())));
        Assert.True(File.Exists(Path.Combine(Extension, manifest["main"]!.GetValue<string>())));
        Assert.Equal(".pipe", language["extensions"]![0]!.GetValue<string>());

        var scope = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "grammar", "pipeline.tmLanguage.json")))!["scopeName"]!.GetValue<string>();
        Assert.Equal(scope, grammar["scopeName"]!.GetValue<string>());
        Assert.Equal("[\"lsp\"]", contributes["configuration"]!["properties"]!["pipeline.server.arguments"]!["default"].Text());

        var configuration = JsonNode.Parse(File.ReadAllText(Path.Combine(Extension, "language-configuration.json")))!;
        Assert.Equal("//", configuration["comments"]!["lineComment"]!.GetValue<string>());
        Assert.Contains("pipeline.semanticDiff", File.ReadAllText(Path.Combine(Extension, "extension.js")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_language_server_does_not_reference_the_runtime()
    {
        // docs/contracts.md: the server reads what the compiler knows and never runs an experiment.
        var references = typeof(LanguageServerHost).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("Pipeline.Compiler", references);
        Assert.DoesNotContain("Pipeline.Runtime", references);
        Assert.DoesNotContain(references, r => r!.StartsWith("TorchSharp", StringComparison.Ordinal));
    }
}
