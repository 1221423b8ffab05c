using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Pipeline.Catalog;
using Pipeline.Compiler.Diagnostics;
using Pipeline.Compiler.Lowering;
using Pipeline.Dsl.Text;
using Diagnostic = Pipeline.Dsl.Diagnostics.Diagnostic;
using RoslynSourceText = Microsoft.CodeAnalysis.Text.SourceText;

namespace Pipeline.Compiler.Emit;

/// <summary>
/// Lowers, renders and compiles an experiment with Roslyn, deterministically: only relative file names reach the
/// assembly and pdb, so the same source gives the same bytes in any folder. Serves and fills the assembly cache.
/// </summary>
internal sealed class Emitter(Compilation compilation, string? templateText = null)
{
    private const string Namespace = "Pipeline.Experiments.";

    /// <summary>Renders with another template; for tests that prove Roslyn errors map back to the .pipe file.</summary>
    internal static EmitResult EmitWithTemplate(Compilation compilation, string outputDirectory, string templateText) =>
        new Emitter(compilation, templateText).Emit(outputDirectory, useCache: false);

    public (string? Code, ImmutableArray<Diagnostic> Diagnostics) Generate()
    {
        if (compilation.HasErrors)
        {
            return (null, compilation.Diagnostics.Where(d => d.IsError).ToImmutableArray());
        }

        var references = ReferenceCompilation(out var missing);
        if (missing is not null)
        {
            return (null, [missing]);
        }

        var lowering = new ExperimentLowering(compilation, references);
        var (view, diagnostics) = lowering.Lower();
        return view is null ? (null, diagnostics) : (TemplateRenderer.Render(view, templateText), ImmutableArray<Diagnostic>.Empty);
    }

    public EmitResult Emit(string outputDirectory) => Emit(outputDirectory, compilation.Options.UseCache);

    private EmitResult Emit(string outputDirectory, bool useCache)
    {
        if (compilation.HasErrors)
        {
            return Failed(compilation.Diagnostics.Where(d => d.IsError).ToImmutableArray());
        }

        var model = compilation.SemanticModel;
        if (model.SweepCount > 1)
        {
            return Failed([CompilerDiagnostics.SweepNotSelected(model.NameSpan, model.SweepCount, model.Sweeps.Select(s => s.Path)) with { Path = model.Path }]);
        }

        var name = ExperimentLowering.LineFileName(model.Name);
        var files = new OutputFiles(outputDirectory, name);
        var cacheFolder = CacheLocation.Assembly(compilation.Options.CacheDirectory, compilation.CacheKey);
        var cached = new OutputFiles(cacheFolder, name);
        var warnings = ImmutableArray<Diagnostic>.Empty;
        if (useCache && File.Exists(cacheFolder))
        {
            // A file where the entry's folder belongs: the path is the assembly cache's own.
            warnings = [CompilerDiagnostics.AssemblyCacheDamaged(model.NameSpan, cacheFolder, "it is a file, not a folder") with { Path = model.Path }];
            TryDelete(cacheFolder);
        }
        else if (useCache && Directory.Exists(cacheFolder))
        {
            // Every file is checked against the checksums written with it before anything is served: one changed byte
            // in a cached dll once trained another model and stored it under this experiment's stage hashes.
            var problem = CacheChecksums.Verify(cacheFolder) ?? (cached.Exist() ? null : $"file {name}.dll, .pdb or .g.cs is missing");
            if (problem is null)
            {
                return Serve(cached, files, cacheFolder, outputDirectory, model);
            }

            warnings = [CompilerDiagnostics.AssemblyCacheDamaged(model.NameSpan, cacheFolder, problem) with { Path = model.Path }];
            TryDelete(cacheFolder);
        }

        var references = ReferenceCompilation(out var missing);
        if (missing is not null)
        {
            return Failed([missing]);
        }

        var lowering = new ExperimentLowering(compilation, references);
        var (view, lowered) = lowering.Lower();
        if (view is null)
        {
            return Failed(lowered);
        }

        var code = TemplateRenderer.Render(view, templateText);
        var sourceText = RoslynSourceText.From(code, Encoding.UTF8, Microsoft.CodeAnalysis.Text.SourceHashAlgorithm.Sha256);
        var tree = CSharpSyntaxTree.ParseText(sourceText, new CSharpParseOptions(LanguageVersion.Latest), path: name + ".g.cs");
        var roslyn = references.AddSyntaxTrees(tree);
        using var pe = new MemoryStream();
        using var pdb = new MemoryStream();
        var result = roslyn.Emit(
            pe,
            pdb,
            embeddedTexts: [EmbeddedText.FromSource(tree.FilePath, sourceText)],
            options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb, pdbFilePath: name + ".pdb"));
        if (!result.Success)
        {
            return Failed(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => Map(d, lowering.LineSpans)).Distinct().ToImmutableArray());
        }

        var assembly = pe.ToArray();
        try
        {
            files.Write(assembly, pdb.ToArray(), code);
            if (useCache)
            {
                cached.Write(assembly, pdb.ToArray(), code);
                CacheChecksums.Write(cacheFolder);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return Failed([CompilerDiagnostics.OutputNotWritable(model.NameSpan, outputDirectory, error.Message) with { Path = model.Path }]);
        }

        return new EmitResult(true, warnings, files.Dll, files.Pdb, files.Source, false) { AssemblySha256 = CacheChecksums.Sha256(assembly) };
    }

    /// <summary>A verified cache entry: its own files when the output folder is the entry, else copies of them.</summary>
    private static EmitResult Serve(OutputFiles cached, OutputFiles files, string cacheFolder, string outputDirectory, Binding.SemanticModel model)
    {
        var sha256 = CacheChecksums.Recorded(cacheFolder, Path.GetFileName(cached.Dll));
        if (string.Equals(Path.GetFullPath(cacheFolder), Path.GetFullPath(outputDirectory), StringComparison.Ordinal))
        {
            return new EmitResult(true, ImmutableArray<Diagnostic>.Empty, cached.Dll, cached.Pdb, cached.Source, true) { AssemblySha256 = sha256 };
        }

        try
        {
            cached.CopyTo(files);
            return new EmitResult(true, ImmutableArray<Diagnostic>.Empty, files.Dll, files.Pdb, files.Source, true) { AssemblySha256 = sha256 };
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return Failed([CompilerDiagnostics.OutputNotWritable(model.NameSpan, outputDirectory, error.Message) with { Path = model.Path }]);
        }
    }

    private CSharpCompilation ReferenceCompilation(out Diagnostic? missing)
    {
        var paths = compilation.ReferencePaths;
        missing = paths.Any(p => string.Equals(Path.GetFileName(p), ReferenceAssemblies.RuntimeFileName, StringComparison.OrdinalIgnoreCase) && File.Exists(p))
            ? null
            : CompilerDiagnostics.RuntimeReferenceMissing(compilation.SemanticModel.NameSpan) with { Path = compilation.SemanticModel.Path };
        var options = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            optimizationLevel: OptimizationLevel.Release,
            deterministic: true,
            nullableContextOptions: NullableContextOptions.Enable,
            concurrentBuild: false);
        return CSharpCompilation.Create(Namespace + ExperimentLowering.ClassName(compilation.SemanticModel.Name), null, ReferenceAssemblies.Load(paths), options);
    }

    /// <summary>A Roslyn error becomes PIPE3003 at the .pipe span its #line points at (the experiment name when unmapped).</summary>
    private Diagnostic Map(Microsoft.CodeAnalysis.Diagnostic error, IReadOnlyDictionary<int, TextSpan> lineSpans)
    {
        var model = compilation.SemanticModel;
        var mapped = error.Location.GetMappedLineSpan();
        var span = mapped.HasMappedPath && lineSpans.TryGetValue(mapped.StartLinePosition.Line + 1, out var found) ? found : model.NameSpan;
        return CompilerDiagnostics.GeneratedCodeError(span, error.Id, error.GetMessage(System.Globalization.CultureInfo.InvariantCulture)) with { Path = model.Path };
    }

    private static EmitResult Failed(ImmutableArray<Diagnostic> diagnostics) => new(false, diagnostics, null, null, null, false);

    /// <summary>Removes a damaged cache entry (a path only the assembly cache writes) before it is written again.</summary>
    private static void TryDelete(string folder)
    {
        try
        {
            if (File.Exists(folder))
            {
                File.Delete(folder);
            }
            else
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Another process may be rewriting it; the files written next replace the damaged ones anyway.
        }
    }

    private sealed class OutputFiles(string folder, string name)
    {
        public string Dll => Path.Combine(folder, name + ".dll");

        public string Pdb => Path.Combine(folder, name + ".pdb");

        public string Source => Path.Combine(folder, name + ".g.cs");

        public bool Exist() => File.Exists(Dll) && File.Exists(Pdb) && File.Exists(Source);

        public void CopyTo(OutputFiles target)
        {
            Directory.CreateDirectory(folder);
            target.Write(File.ReadAllBytes(Dll), File.ReadAllBytes(Pdb), File.ReadAllText(Source));
        }

        /// <summary>Each file through a temporary name and a rename, so a reader never sees half a file.</summary>
        public void Write(byte[] dll, byte[] pdb, string source)
        {
            Directory.CreateDirectory(folder);
            Atomic(Source, Encoding.UTF8.GetBytes(source));
            Atomic(Pdb, pdb);
            Atomic(Dll, dll);
        }

        private static void Atomic(string path, byte[] bytes)
        {
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                File.WriteAllBytes(temporary, bytes);
                File.Move(temporary, path, overwrite: true);
            }
            finally
            {
                // Gone after the rename; a failed write (a full disk) must not leave it behind.
                File.Delete(temporary);
            }
        }
    }
}
