using System.Collections.Immutable;
using Pipeline.Compiler.Binding;
using Pipeline.Compiler.Emit;
using Pipeline.Compiler.Lowering;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Semantics;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler;

/// <summary>What a compilation needs beyond the syntax tree.</summary>
public sealed record CompilationOptions
{
    /// <summary><c>--set PATH=VALUE</c> overrides, applied in order before binding.</summary>
    public ImmutableArray<SetOverride> Overrides { get; init; } = ImmutableArray<SetOverride>.Empty;

    /// <summary>
    /// Paths of the assemblies generated code compiles against: Pipeline.Runtime.dll, Pipeline.Catalog.dll, the
    /// framework's assemblies and whatever the runtime exposes. The CLI supplies them (see <see cref="ReferenceAssemblies"/>).
    /// </summary>
    public ImmutableArray<string> ReferencePaths { get; init; } = ImmutableArray<string>.Empty;

    /// <summary>
    /// Finds the reference paths when <see cref="ReferencePaths"/> is empty, called at most once and only when an
    /// emit must compile (a cache hit or a check never needs the references).
    /// </summary>
    public Func<ImmutableArray<string>>? ReferenceResolver { get; init; }

    /// <summary>The runtime version that enters stage hashes; by default read from Pipeline.Runtime.dll among the references.</summary>
    public string? RuntimeVersion { get; init; }

    /// <summary>
    /// The build of the runtime the assembly will run against (its module version id; the CLI passes the one it
    /// loads). It enters the assembly cache key, so generated code is recompiled against a changed runtime.
    /// </summary>
    public string? RuntimeBuild { get; init; }

    /// <summary>The cache root (contracts.md); null means <see cref="Pipeline.Catalog.CachePaths.Root"/>. Assemblies go under <c>assemblies/</c>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>False skips the assembly cache (always compile).</summary>
    public bool UseCache { get; init; } = true;
}

/// <summary>
/// The compiler's façade: syntax, semantic model and diagnostics, each computed once on first use; emit refuses to
/// run while there are errors. Immutable: <see cref="WithSweepPoint"/> returns a new compilation.
/// </summary>
public sealed class Compilation
{
    private readonly Lazy<Resolved> resolved;
    private readonly Lazy<SemanticModel> model;
    private readonly Lazy<ImmutableArray<Diagnostic>> diagnostics;
    private readonly IReadOnlyList<(string[] Path, ValueSyntax Value)> points;
    private readonly Lazy<ImmutableArray<string>> referencePaths;

    private Compilation(ResolvedExperiment composed, CompilationOptions options, IReadOnlyList<(string[] Path, ValueSyntax Value)> points)
    {
        Composed = composed;
        Options = options;
        this.points = points;
        resolved = new Lazy<Resolved>(Resolve);
        referencePaths = new Lazy<ImmutableArray<string>>(() =>
            Options.ReferencePaths.IsDefaultOrEmpty && Options.ReferenceResolver is { } resolver ? resolver() : Options.ReferencePaths);
        model = new Lazy<SemanticModel>(BindModel);
        diagnostics = new Lazy<ImmutableArray<Diagnostic>>(() => Composed.CanBind
            ? Composed.Diagnostics.AddRange(resolved.Value.Diagnostics).AddRange(SemanticModel.Diagnostics)
            : Composed.Diagnostics);
    }

    /// <summary>The compiler's version, which enters the assembly cache key.</summary>
    public static string CompilerVersion { get; } = typeof(Compilation).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

    /// <summary>
    /// The compiler's build: its module version id, which deterministic builds derive from the compiled code. The
    /// version number alone stayed 0.1.0.0 across code changes, so a changed compiler (say, a new stage hash) reused
    /// assemblies, and the stage hashes they carry, from the build before.
    /// </summary>
    public static string CompilerBuild { get; } = typeof(Compilation).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..16];

    /// <summary>A compilation of an experiment already composed (<c>extends</c> resolved) by the Dsl.</summary>
    public static Compilation Create(ResolvedExperiment composed, CompilationOptions? options = null) =>
        new(composed, options ?? new CompilationOptions(), Array.Empty<(string[], ValueSyntax)>());

    /// <summary>Composes a parsed file (its bases read from disk, relative to it) and wraps it in a compilation.</summary>
    public static Compilation Create(SyntaxTree syntaxTree, CompilationOptions? options = null) =>
        Create(Composition.Resolve(syntaxTree, Composition.ReadFileOrNull), options);

    /// <summary>Parses <paramref name="text"/> as the file <paramref name="path"/> and wraps it in a compilation.</summary>
    public static Compilation Parse(string path, string text, CompilationOptions? options = null) =>
        Create(SyntaxTree.Parse(new SourceText(path, text)), options);

    /// <summary>Reads, parses and composes the experiment file at <paramref name="path"/>.</summary>
    public static Compilation Load(string path, CompilationOptions? options = null) =>
        Create(Composition.Resolve(path, Composition.ReadFileOrNull), options);

    /// <summary>The experiment with its extends chain composed, before <c>--set</c>.</summary>
    public ResolvedExperiment Composed { get; }

    /// <summary>The file compiled (the first of the extends chain).</summary>
    public SyntaxTree SyntaxTree => Composed.Files[0];

    public CompilationOptions Options { get; }

    /// <summary>The tree after <c>--set</c> overrides and the chosen sweep point, which is what is bound.</summary>
    public ExperimentSyntax ResolvedExperiment => resolved.Value.Root;

    /// <summary>Every source a diagnostic may point into, by <see cref="Diagnostic.Path"/>: the file and each <c>--set</c>.</summary>
    public IReadOnlyDictionary<string, SourceText> Sources => resolved.Value.Sources;

    public SemanticModel SemanticModel => model.Value;

    /// <summary>The diagnostics of the <c>--set</c> overrides alone: a value that does not parse, a path that names nothing.</summary>
    public ImmutableArray<Diagnostic> OverrideDiagnostics => resolved.Value.OverrideDiagnostics;

    /// <summary>
    /// Syntax and composition, override, binding and type diagnostics, each group in source order. The later groups
    /// only where the composed experiment can be bound (<see cref="ResolvedExperiment.CanBind"/>): after a syntax error
    /// they would mostly echo it.
    /// </summary>
    public ImmutableArray<Diagnostic> Diagnostics => diagnostics.Value;

    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    /// <summary>The canonical resolved source (composition and overrides applied).</summary>
    public string CanonicalSource => resolved.Value.Canonical;

    /// <summary>SHA-256 of <see cref="CanonicalSource"/>, lower-case hex.</summary>
    public string SourceSha256 => StageHasher.Sha256(CanonicalSource);

    public string RuntimeVersion => Options.RuntimeVersion ?? ReferenceAssemblies.RuntimeVersion(ReferencePaths) ?? "unknown";

    /// <summary>The reference assemblies: <see cref="CompilationOptions.ReferencePaths"/>, else what the resolver finds.</summary>
    public ImmutableArray<string> ReferencePaths => referencePaths.Value;

    /// <summary>
    /// The assembly cache key: SHA-256 over everything that reaches the emitted bytes (contracts.md, "Hashes and
    /// caches"). The canonical resolved source; the text of each composed file and the name <c>#line</c> gives the
    /// file compiled, since stage and property lines and columns come from them (two files with the same canonical
    /// source but other comment lines, or another name, once shared an entry, and the second got the first's
    /// <c>#line</c>s); each <c>--set</c> as written and the sweep point, since a value that comes from the command line
    /// maps to its stage's line; the compiler's and the runtime's version and build; and the content hash of every data
    /// file a stage reads. The assembly carries the stage hashes, which cover those files; without them in the key, a
    /// data file changed since the last run would reuse the old assembly and with it the old stage hashes — and the
    /// stage cache would serve results computed from the old file.
    /// </summary>
    public string CacheKey => StageHasher.Sha256(string.Join('\n', CacheKeyInputs()));

    private IEnumerable<string> CacheKeyInputs()
    {
        yield return "canonical " + StageHasher.Sha256(CanonicalSource);
        yield return "line-file " + ExperimentLowering.LineFileName(SyntaxTree.Source.Path);
        foreach (var file in Composed.Files)
        {
            yield return "text " + StageHasher.Sha256(file.Source.Text);
        }

        foreach (var setting in Options.Overrides)
        {
            yield return "set " + StageHasher.Sha256(setting.Path + "\n" + setting.Value);
        }

        foreach (var (path, value) in points)
        {
            yield return "point " + string.Join('.', path) + " = " + StageHasher.Sha256(Lowering.CanonicalSource.Value(value));
        }

        yield return "compiler " + CompilerVersion + " " + CompilerBuild;
        yield return "runtime " + RuntimeVersion + " " + Options.RuntimeBuild;
        foreach (var stage in SemanticModel.Stages.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            foreach (var (file, hash) in stage.DataFiles)
            {
                yield return $"file {stage.Name} {file} {hash}";
            }
        }
    }

    /// <summary>How many runs the sweeps expand into (1 without sweeps, or once a point is chosen).</summary>
    public long SweepCount => SemanticModel.SweepCount;

    /// <summary>
    /// The compilation of one sweep point, numbered 0 to <see cref="SweepCount"/> − 1 with the first axis (by path)
    /// varying slowest; each axis's sweep is replaced by that point's value.
    /// </summary>
    public Compilation WithSweepPoint(long index) =>
        new(Composed, Options, points.Concat(PointOf(index).Reverse().Select(p => (p.Axis.Path.Split('.'), p.Value))).ToList());

    /// <summary>
    /// The compilation of replicate <paramref name="index"/> (0 to <see cref="Binding.SemanticModel.Replicates"/> − 1):
    /// the experiment with <c>seed</c> set to its replicate seed and <c>replicates</c> to 1, as if run with
    /// <c>--set seed=S --set replicates=1</c>. Its stage hashes are those of a plain run with that seed, so replicates
    /// share the stage cache with such runs (replicate 0 is the experiment's own run).
    /// </summary>
    public Compilation WithReplicate(int index)
    {
        var seeds = SemanticModel.ReplicateSeeds;
        if (index < 0 || index >= seeds.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the experiment has {seeds.Length} replicates");
        }

        var seed = seeds[index].ToString(System.Globalization.CultureInfo.InvariantCulture);
        var overrides = (Options.Overrides.IsDefault ? [] : Options.Overrides).Add(new SetOverride("seed", seed)).Add(new SetOverride("replicates", "1"));
        return new Compilation(Composed, Options with { Overrides = overrides }, points);
    }

    /// <summary>The path = value pairs sweep point <paramref name="index"/> chooses, in canonical form, by path.</summary>
    public IReadOnlyList<(string Path, string Value)> SweepPointValues(long index) =>
        PointOf(index).Select(p => (p.Axis.Path, Lowering.CanonicalSource.Value(p.Value))).ToList();

    /// <summary>For each sweep point, the path = value pairs it chooses, in canonical form.</summary>
    public IReadOnlyList<IReadOnlyList<(string Path, string Value)>> SweepPoints()
    {
        var result = new List<IReadOnlyList<(string, string)>>();
        for (var i = 0L; i < SweepCount; i++)
        {
            result.Add(SweepPointValues(i));
        }

        return result;
    }

    /// <summary>Each axis's value at point <paramref name="index"/> (by path), the first axis varying slowest.</summary>
    private (SweepAxis Axis, ValueSyntax Value)[] PointOf(long index)
    {
        var axes = SemanticModel.Sweeps;
        if (index < 0 || index >= SweepCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the experiment has {SweepCount} sweep points");
        }

        var chosen = new (SweepAxis, ValueSyntax)[axes.Length];
        var rest = index;
        for (var i = axes.Length - 1; i >= 0; i--)
        {
            var size = axes[i].Points.Length;
            chosen[i] = (axes[i], axes[i].Points[(int)(rest % size)]);
            rest /= size;
        }

        return chosen;
    }

    /// <summary>The generated C# (without compiling it); diagnostics when the runtime lacks a kind or property.</summary>
    public (string? Code, ImmutableArray<Diagnostic> Diagnostics) GenerateCSharp() => new Emitter(this).Generate();

    /// <summary>
    /// Compiles to <c>DIR/NAME.dll</c>, <c>NAME.pdb</c> and <c>NAME.g.cs</c>, through the assembly cache. Refuses
    /// (no files, the errors returned) while <see cref="Diagnostics"/> has errors.
    /// </summary>
    public EmitResult Emit(string outputDirectory) => new Emitter(this).Emit(outputDirectory);

    /// <summary>The experiment file's folder, against which data paths resolve.</summary>
    public string SourceDirectory => Path.GetDirectoryName(Path.GetFullPath(SyntaxTree.Source.Path)) ?? Directory.GetCurrentDirectory();

    private Resolved Resolve()
    {
        var origins = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        var sources = new Dictionary<string, SourceText>(StringComparer.Ordinal);
        foreach (var file in Composed.Files)
        {
            sources.TryAdd(file.Source.Path, file.Source);
        }

        var experiment = Composed.Experiment;
        foreach (var member in experiment.Members)
        {
            Remember(member);
            if (member is StageSyntax stage)
            {
                foreach (var property in stage.Properties)
                {
                    Remember(property);
                    RememberEntries(property.Value);
                }
            }
        }

        var found = new List<Diagnostic>();
        foreach (var file in Composed.Files)
        {
            found.AddRange(Binder.Duplicates(file.Root.Experiment, file.Source.Path));
        }

        var overrideDiagnostics = new List<Diagnostic>();
        var root = OverrideApplier.Apply(experiment, Options.Overrides, origins, sources, overrideDiagnostics);
        found.AddRange(overrideDiagnostics);
        foreach (var (path, value) in points)
        {
            // A sweep point comes from the sweep's own file: the replaced property keeps its origin.
            var property = root.Members.OfType<StageSyntax>().FirstOrDefault(s => s.Name.Name == path[0])?.Properties.FirstOrDefault(p => p.Name.Name == path[1]);
            var origin = property is not null && origins.TryGetValue(property, out var known) ? known : SyntaxTree.Source.Path;
            root = OverrideApplier.Replace(root, path, value, origins, origin).Unit;
        }

        return new Resolved(root, origins, sources, found.ToImmutableArray(), overrideDiagnostics.ToImmutableArray(), CanonicalForm.Text(root));

        void Remember(SyntaxNode node)
        {
            if (Composed.OriginOf(node) is { } origin)
            {
                origins[node] = origin;
            }
        }

        void RememberEntries(ValueSyntax value)
        {
            if (value is MapSyntax map)
            {
                foreach (var entry in map.Entries)
                {
                    Remember(entry);
                    RememberEntries(entry.Value);
                }
            }
        }
    }

    private SemanticModel BindModel()
    {
        var value = resolved.Value;
        var semantic = Binder.Bind(value.Root, SyntaxTree.Source.Path, SourceDirectory, value.Origins);
        if (!semantic.HasCycle)
        {
            StageHasher.HashAll(semantic, RuntimeVersion);
        }

        return semantic;
    }

    private sealed record Resolved(ExperimentSyntax Root, IReadOnlyDictionary<object, string> Origins, IReadOnlyDictionary<string, SourceText> Sources, ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<Diagnostic> OverrideDiagnostics, string Canonical);
}
