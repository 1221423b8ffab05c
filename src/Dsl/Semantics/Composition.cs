using System.Collections.Immutable;
using System.Text;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Parsing;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Semantics;

/// <summary>
/// Resolves <c>extends</c>: the base file (a path relative to the extending file) is composed first, then the
/// extending file's experiment-level properties and stages replace those of the same name or are added, its
/// expectations are added to the base's, and its
/// overrides set single properties (or map keys, or properties of inline stages) of the stages it inherited. An
/// override of a stage that does not exist is reported here; an override of a property the stage kind does not
/// have is applied, because only the compiler knows the catalogue.
/// </summary>
public static class Composition
{
    /// <summary>How many files an extends chain may hold, the experiment's own file included.</summary>
    public const int MaxExtendsDepth = 64;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Reads and composes the file at <paramref name="path"/>; <paramref name="readFile"/> returns null for a file that cannot be read.</summary>
    public static ResolvedExperiment Resolve(string path, Func<string, string?> readFile)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(readFile);
        var text = readFile(path);
        if (text is null)
        {
            var tree = SyntaxTree.Parse(new SourceText(path, string.Empty));
            var missing = DiagnosticBuilder.BaseFileNotFound(new TextSpan(0, 0), path) with { Path = path };
            return new ResolvedExperiment(path, tree.Root.Experiment, [tree], [missing], new Dictionary<object, string>());
        }

        return Resolve(SyntaxTree.Parse(new SourceText(path, text)), readFile);
    }

    /// <summary>Composes an already parsed file; its bases are read through <paramref name="readFile"/>, relative to its path.</summary>
    public static ResolvedExperiment Resolve(SyntaxTree tree, Func<string, string?> readFile)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(readFile);
        var state = new State(readFile);
        var experiment = state.Compose(tree, ImmutableList<string>.Empty);
        return new ResolvedExperiment(tree.Source.Path, experiment, state.Files.ToImmutableArray(), state.Diagnostics.ToImmutableArray(), state.Origins);
    }

    /// <summary>Reads a file as UTF-8 (a byte-order mark is dropped; invalid bytes become U+FFFD, which the parser reports); null when it cannot be read.</summary>
    public static string? ReadFileOrNull(string path)
    {
        try
        {
            // A named pipe would block and a device (a link to /dev/zero) would never end: both report no length, like
            // an empty file, and are read as one (the parser then asks for 'experiment NAME {').
            var file = new FileInfo(path);
            var target = file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
            if (target.Exists && target.Length == 0)
            {
                return string.Empty;
            }

            var bytes = File.ReadAllBytes(path);
            var text = Utf8.GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The path of a base file named by an extends clause in the file at <paramref name="extendingPath"/>.</summary>
    public static string BasePath(string extendingPath, string extendsValue) =>
        Path.Combine(Path.GetDirectoryName(extendingPath) ?? string.Empty, extendsValue);

    private sealed class State(Func<string, string?> readFile)
    {
        public List<SyntaxTree> Files { get; } = [];

        public List<Diagnostic> Diagnostics { get; } = [];

        public Dictionary<object, string> Origins { get; } = new(ReferenceEqualityComparer.Instance);

        public ExperimentSyntax Compose(SyntaxTree tree, ImmutableList<string> chain)
        {
            Files.Add(tree);
            Diagnostics.AddRange(tree.Diagnostics);
            var path = tree.Source.Path;
            var experiment = tree.Root.Experiment;
            chain = chain.Add(FullPath(path));
            var members = new List<MemberSyntax>();
            if (experiment.Extends is { } extends)
            {
                var basePath = BasePath(path, extends.Path.Value);
                var fullBase = FullPath(basePath);
                if (chain.Contains(fullBase))
                {
                    var names = chain.Select(p => System.IO.Path.GetFileName(p)).Append(System.IO.Path.GetFileName(fullBase));
                    Report(DiagnosticBuilder.ExtendsCycle(extends.Path.Span, names), path);
                }
                else if (chain.Count >= MaxExtendsDepth)
                {
                    // Composition recurses once per base file: a chain of thousands of files would overflow the stack.
                    Report(DiagnosticBuilder.ExtendsTooDeep(extends.Path.Span, MaxExtendsDepth), path);
                }
                else if (readFile(basePath) is { } baseText)
                {
                    members.AddRange(Compose(SyntaxTree.Parse(new SourceText(basePath, baseText)), chain).Members);
                }
                else
                {
                    Report(DiagnosticBuilder.BaseFileNotFound(extends.Path.Span, extends.Path.Value), path);
                }
            }

            var index = new Dictionary<(bool Stage, string Name), int>();
            for (var i = 0; i < members.Count; i++)
            {
                index[Key(members[i])] = i;
            }

            foreach (var member in experiment.Members)
            {
                switch (member)
                {
                    case PropertySyntax property:
                        Replace(members, index, property);
                        Origins[property] = path;
                        break;
                    case StageSyntax stage:
                        Replace(members, index, stage);
                        Origins[stage] = path;
                        foreach (var p in stage.Properties)
                        {
                            Origins[p] = path;
                        }

                        break;
                    case ExpectationSyntax expectation:
                        // Expectations add up along the chain: an extending file declares more, it cannot drop one.
                        members.Add(expectation);
                        Origins[expectation] = path;
                        break;
                }
            }

            foreach (var @override in experiment.Members.OfType<OverrideSyntax>())
            {
                Apply(members, index, @override, path);
            }

            return new ExperimentSyntax(experiment.Span, experiment.Name, null, members.ToImmutableArray())
            {
                HeaderComment = experiment.HeaderComment,
                DanglingComments = experiment.DanglingComments,
            };
        }

        private void Apply(List<MemberSyntax> members, Dictionary<(bool Stage, string Name), int> stages, OverrideSyntax @override, string path)
        {
            var stageName = @override.Target[0];
            if (!stages.TryGetValue((true, stageName.Name), out var index))
            {
                var declared = members.OfType<StageSyntax>().Select(s => s.Name.Name);
                Report(DiagnosticBuilder.OverrideOfUnknownStage(stageName.Span, stageName.Name, declared), path);
                return;
            }

            var stage = (StageSyntax)members[index];
            var properties = SetProperty(stage.Properties, @override, 1, path);
            if (properties is null)
            {
                return;
            }

            var updated = stage with { Properties = properties.Value };
            Origins[updated] = Origins.GetValueOrDefault(stage, path);
            members[index] = updated;
        }

        /// <summary>Sets Target[index..] inside a property list; null when the override cannot be applied (reported).</summary>
        private ImmutableArray<PropertySyntax>? SetProperty(ImmutableArray<PropertySyntax> properties, OverrideSyntax @override, int index, string path)
        {
            var name = @override.Target[index];
            var position = properties.IndexOf(properties.FirstOrDefault(p => p.Name.Name == name.Name)!);
            var last = index == @override.Target.Length - 1;
            if (position < 0)
            {
                var created = new PropertySyntax(@override.Span, name, last ? @override.Value : NestedMap(@override, index + 1));
                Origins[created] = path;
                return properties.Add(created);
            }

            var existing = properties[position];
            ValueSyntax? value = last ? @override.Value : SetInside(existing.Value, @override, index + 1, path);
            if (value is null)
            {
                return null;
            }

            var replaced = existing with { Value = value };
            Origins[replaced] = last ? path : Origins.GetValueOrDefault(existing, path);
            return properties.SetItem(position, replaced);
        }

        private ValueSyntax? SetInside(ValueSyntax value, OverrideSyntax @override, int index, string path)
        {
            switch (value)
            {
                case InlineStageSyntax inline:
                    var properties = SetProperty(inline.Properties, @override, index, path);
                    return properties is null ? null : inline with { Properties = properties.Value };
                case MapSyntax map:
                    var key = @override.Target[index];
                    var last = index == @override.Target.Length - 1;
                    var position = map.Entries.IndexOf(map.Entries.FirstOrDefault(e => e.Key.Name == key.Name)!);
                    if (position < 0)
                    {
                        var entry = new MapEntrySyntax(@override.Span, key, last ? @override.Value : NestedMap(@override, index + 1));
                        Origins[entry] = path;
                        return map with { Entries = map.Entries.Add(entry) };
                    }

                    var inner = last ? @override.Value : SetInside(map.Entries[position].Value, @override, index + 1, path);
                    if (inner is null)
                    {
                        return null;
                    }

                    var updated = map.Entries[position] with { Value = inner };
                    if (last)
                    {
                        Origins[updated] = path;
                    }
                    else if (Origins.TryGetValue(map.Entries[position], out var written))
                    {
                        Origins[updated] = written;
                    }
                    return map with { Entries = map.Entries.SetItem(position, updated) };
                default:
                    var dotted = string.Join(".", @override.Target.Select(t => t.Name));
                    var property = string.Join(".", @override.Target.Take(index).Select(t => t.Name));
                    Report(DiagnosticBuilder.OverrideIntoScalar(@override.Target[index].Span, dotted, property), path);
                    return null;
            }
        }

        /// <summary><c>a.b.c = v</c> on a missing property: <c>{ b: { c: v } }</c> from Target[index..].</summary>
        private static ValueSyntax NestedMap(OverrideSyntax @override, int index)
        {
            ValueSyntax value = @override.Value;
            for (var i = @override.Target.Length - 1; i >= index; i--)
            {
                value = new MapSyntax(@override.Span, [new MapEntrySyntax(@override.Span, @override.Target[i], value)]);
            }

            return value;
        }

        private static void Replace(List<MemberSyntax> members, Dictionary<(bool Stage, string Name), int> index, MemberSyntax replacement)
        {
            var key = Key(replacement);
            if (index.TryGetValue(key, out var position))
            {
                members[position] = replacement;
            }
            else
            {
                index[key] = members.Count;
                members.Add(replacement);
            }
        }

        private static (bool Stage, string Name) Key(MemberSyntax member) => member switch
        {
            StageSyntax stage => (true, stage.Name.Name),
            PropertySyntax property => (false, property.Name.Name),
            _ => (false, string.Empty),
        };

        private void Report(Diagnostic diagnostic, string path) => Diagnostics.Add(diagnostic with { Path = path });

        private static string FullPath(string path)
        {
            try
            {
                return System.IO.Path.GetFullPath(path);
            }
            catch (Exception error) when (error is ArgumentException or NotSupportedException or PathTooLongException)
            {
                return path;
            }
        }
    }
}
