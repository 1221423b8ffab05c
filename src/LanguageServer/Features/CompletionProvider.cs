using Pipeline.Catalog;
using Pipeline.Dsl.Syntax;
using Pipeline.LanguageServer.Analysis;
using Pipeline.LanguageServer.Protocol;

namespace Pipeline.LanguageServer.Features;

/// <summary>
/// Completion from the catalogue: role keywords and kinds, a kind's properties (with type and default), the values a
/// property's type allows (enum words, variant cases, <c>true</c>/<c>false</c>), the stages and stage members that
/// produce what a reference expects (<c>prefs.train</c>, <c>world.pairs(count:)</c>), map keys (dimension keys,
/// record fields), call parameters, and the members after a dot.
/// </summary>
internal sealed class CompletionProvider(DocumentAnalysis analysis, bool snippets)
{
    public IReadOnlyList<CompletionItem> Complete(string text, int offset)
    {
        var site = CompletionScanner.Scan(text, offset, analysis.KindOf);
        return site is null ? [] : Items(site).GroupBy(i => i.Label, StringComparer.Ordinal).Select(g => g.First()).ToList();
    }

    private IEnumerable<CompletionItem> Items(CompletionSite site)
    {
        var frame = site.Frame;
        var statement = site.Statement;
        switch (frame.Kind)
        {
            case FrameKind.File:
                return statement.Count switch
                {
                    0 => [Keyword(SyntaxKeywords.Experiment, "experiment NAME { ... }")],
                    2 when statement[0].Text == SyntaxKeywords.Experiment => [Keyword(SyntaxKeywords.Extends, "extends \"base.pipe\": start from another experiment")],
                    _ => [],
                };
            case FrameKind.Experiment when statement.Count == 0:
                return ExperimentMembers(frame);
            case FrameKind.Experiment when statement.Count == 3 && SyntaxKeywords.IsRole(statement[0].Text) && statement[2].Is("="):
                return StageCatalog.Kinds.Where(k => RoleKeywords.Keyword(k.Role) == statement[0].Text).Select(Kind);
            case FrameKind.Experiment when !statement.Any(t => t.Is("=")) && statement.Count > 0 && statement[^1].Is(".")
                && CompletionScanner.Chain(statement.Take(statement.Count - 1).ToList()) is { } target:
                return OverrideTarget(target);
            case FrameKind.Stage when statement.Count == 0:
                return (frame.StageKind?.Properties ?? []).Where(p => !frame.Written.Contains(p.Name)).Select(p => Property(p, frame.StageKind, " = "));
            case FrameKind.Map when statement.Count == 0:
                return Keys(frame.Type, frame.Written);
            case FrameKind.Call when statement.Count == 0:
                var positional = frame.Parameters.ElementAtOrDefault(frame.ArgumentIndex);
                return frame.Parameters.Where(p => !frame.Written.Contains(p.Name)).Select(p => Property(p, null, ": "))
                    .Concat(Values(positional?.Type, [], site));
        }

        var (type, value) = site.Scanner.Expected(frame, statement);
        return Values(type, value, site);
    }

    private IEnumerable<CompletionItem> ExperimentMembers(Frame frame)
    {
        foreach (var role in SyntaxKeywords.Roles)
        {
            yield return Keyword(role, $"{role} NAME = KIND {{ ... }}", CatalogDocs.Role(role));
        }

        yield return Keyword(SyntaxKeywords.Expect, "expect STAGE.win_rate(JUDGE).DIMENSION > NUMBER | METRIC: what the run should show (docs/language.md)");

        foreach (var property in StageCatalog.ExperimentProperties.Where(p => !frame.Written.Contains(p.Name)))
        {
            yield return Property(property, null, " = ");
        }

        // In a file that extends another, an inherited stage's property is set with an override: STAGE.PROPERTY = VALUE.
        foreach (var (name, stage) in analysis.Stages.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (analysis.DeclaringPath(stage) is { } path && path != analysis.Path)
            {
                yield return new CompletionItem(name, CompletionItemKind.Variable, $"override a property of {stage.Role.Name} {name} = {stage.Kind.Name}", null, name + ".");
            }
        }
    }

    private IEnumerable<CompletionItem> OverrideTarget(IReadOnlyList<string> target)
    {
        var kind = analysis.KindOf(target[0]);
        if (target.Count == 1)
        {
            return (kind?.Properties ?? []).Select(p => Property(p, kind, " = "));
        }

        var type = kind?.FindProperty(target[1])?.Type;
        foreach (var key in target.Skip(2))
        {
            type = CompletionScanner.KeyType(type, key);
        }

        return Keys(type, new HashSet<string>());
    }

    /// <summary>The keys a map of the type takes: a record's fields, or a dictionary's words (the dimension keys).</summary>
    private IEnumerable<CompletionItem> Keys(PropertyType? type, IReadOnlySet<string> written)
    {
        if (CatalogTypes.Find<RecordType>(type) is { } record)
        {
            return record.Fields.Where(f => !written.Contains(f.Name)).Select(f => Property(f, null, ": ", CompletionItemKind.Field));
        }

        if (CatalogTypes.Find<DictionaryType>(type) is { } dictionary)
        {
            return dictionary.Keys.Values.Where(k => !written.Contains(k))
                .Select(k => new CompletionItem(k, CompletionItemKind.EnumMember, $"key: {dictionary.Value.Describe()}", new MarkupContent(CatalogDocs.Key(k, dictionary)), k + ": "));
        }

        return [];
    }

    /// <summary>What may be written as (the start of) a value of <paramref name="type"/>, after the tokens <paramref name="value"/>.</summary>
    private IEnumerable<CompletionItem> Values(PropertyType? type, IReadOnlyList<Token> value, CompletionSite site)
    {
        if (value.Count >= 2 && value[^1].Is(".") && CompletionScanner.Chain(value.Take(value.Count - 1).ToList()) is { } chain)
        {
            // Every member is offered (the chain may go on: prefs.train.winners); those that fit the type come first.
            var accepted = CatalogTypes.AcceptedArtifacts(type);
            return site.Scanner.ArtifactOf(chain) is { } artifact
                ? StageCatalog.Members.Where(m => m.Owner == artifact).Select((m, i) => Member(m, m.Name) with { SortText = (accepted.Contains(m.Result) ? "0" : "1") + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) })
                : [];
        }

        return value.Count == 0 ? StartOfValue(type, site) : [];
    }

    private IEnumerable<CompletionItem> StartOfValue(PropertyType? type, CompletionSite site)
    {
        foreach (var word in CatalogTypes.Words(type).Distinct())
        {
            yield return new CompletionItem(word, CompletionItemKind.EnumMember, type!.Describe(), new MarkupContent(CatalogDocs.Word(word, type)), word);
        }

        if (CatalogTypes.Find<BooleanType>(type) is not null)
        {
            yield return Keyword(SyntaxKeywords.True, "true or false");
            yield return Keyword(SyntaxKeywords.False, "true or false");
        }

        foreach (var variant in CatalogTypes.Find<VariantType>(type)?.Cases.Where(c => c.Name is not null && c.Parameters.Count > 0) ?? [])
        {
            yield return Call(variant.Name!, variant.Parameters, CompletionItemKind.Method, variant.Describe(), $"`{variant.Describe()}`\n\n" + string.Join("\n\n", variant.Parameters.Select(p => CatalogDocs.Property(p))));
        }

        var accepted = CatalogTypes.AcceptedArtifacts(type);
        if (accepted.Count == 0)
        {
            yield break;
        }

        foreach (var (name, stage) in analysis.Stages.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var kind = StageCatalog.FindKind(stage.Kind.Name);
            if (kind is null || name == site.EnclosingStage)
            {
                continue;
            }

            if (accepted.Contains(kind.Produces))
            {
                yield return new CompletionItem(name, CompletionItemKind.Variable, $"{stage.Role.Name} {name} = {kind.Name} → {kind.Produces}", new MarkupContent(CatalogDocs.Kind(kind)), name);
            }

            foreach (var member in StageCatalog.Members.Where(m => m.Owner == kind.Produces && accepted.Contains(m.Result)))
            {
                yield return Member(member, name + "." + member.Name);
            }
        }

        if (CatalogTypes.Find<ReferenceType>(type) is { AllowInline: true } inline && site.EnclosingStage is not null)
        {
            foreach (var kind in StageCatalog.Kinds.Where(k => k.Produces == inline.Expected))
            {
                yield return Kind(kind) with { Detail = $"inline stage → {kind.Produces}", InsertText = snippets ? kind.Name + " {\n\t$0\n}" : kind.Name + " { }", InsertTextFormat = snippets ? 2 : null };
            }
        }
    }

    private CompletionItem Member(MemberInfo member, string path) => member.IsCall
        ? Call(path, member.Parameters, CompletionItemKind.Method, $"{member.Owner}.{member.Name} → {member.Result}", CatalogDocs.Member(member))
        : new CompletionItem(path, CompletionItemKind.Field, $"{member.Owner}.{member.Name} → {member.Result}", new MarkupContent(CatalogDocs.Member(member)), path);

    /// <summary>
    /// A call with its required parameters named (all of them when none is required): label <c>pairs(count:)</c>,
    /// inserting <c>pairs(count: |)</c>.
    /// </summary>
    private CompletionItem Call(string name, IReadOnlyList<PropertyDefinition> parameters, int kind, string detail, string documentation)
    {
        var required = parameters.Any(p => p.Required) ? parameters.Where(p => p.Required).ToList() : parameters.ToList();
        var label = $"{name}({string.Concat(required.Select(p => p.Name + ":"))})";
        var arguments = required.Select((p, i) => snippets ? $"{p.Name}: ${i + 1}" : $"{p.Name}: ");
        return new CompletionItem(label, kind, detail, new MarkupContent(documentation), $"{name}({string.Join(", ", arguments)})")
        {
            InsertTextFormat = snippets ? 2 : null,
        };
    }

    private static CompletionItem Kind(StageKind kind) =>
        new(kind.Name, CompletionItemKind.Class, $"{RoleKeywords.Keyword(kind.Role)} kind → {kind.Produces}", new MarkupContent(CatalogDocs.Kind(kind)), kind.Name);

    private static CompletionItem Property(PropertyDefinition property, StageKind? owner, string separator, int kind = CompletionItemKind.Property) =>
        new(property.Name, kind, property.Type.Describe() + (property.Required ? " (required)" : property.Default is null ? " (optional)" : " = " + CatalogTypes.ValueText(property.Default)),
            new MarkupContent(CatalogDocs.Property(property, owner)), property.Name + separator)
        {
            // Required properties first, then the rest in catalogue order (which groups related properties).
            SortText = (property.Required ? "0" : "1") + Order(owner, property).ToString("D3", System.Globalization.CultureInfo.InvariantCulture),
        };

    private static int Order(StageKind? owner, PropertyDefinition property) => owner is null ? 0 : owner.Properties.ToList().IndexOf(property);

    private static CompletionItem Keyword(string word, string detail, string? documentation = null) =>
        new(word, CompletionItemKind.Keyword, detail, documentation is null ? null : new MarkupContent(documentation), word);
}
