using System.Collections.Immutable;
using Pipeline.Catalog;
using Pipeline.Compiler.Diagnostics;
using Pipeline.Dsl.Syntax;

namespace Pipeline.Compiler.Binding;

internal sealed partial class Binder
{
    private BoundValue? BindReferenceProperty(ValueSyntax syntax, ReferenceType type, Context context)
    {
        if (syntax is InlineStageSyntax inline)
        {
            if (!type.AllowInline || context.Stage is null || context.Stage.IsInline)
            {
                Report(CompilerDiagnostics.InlineStageNotAllowed(inline.Span, context.Property));
                return null;
            }

            return BindInlineStage(inline, type, context);
        }

        var reference = BindReference(syntax);
        if (reference is null)
        {
            return null;
        }

        if (reference.Type != type.Expected)
        {
            Report(CompilerDiagnostics.WrongArtifact(syntax.Span, reference.Dotted, reference.Type, type.Expected.WithArticle()));
            return null;
        }

        if (type.WholeStage && !reference.Steps.IsEmpty)
        {
            Report(CompilerDiagnostics.WholeStageExpected(syntax.Span, context.Property, reference.Dotted, reference.Stage));
            return null;
        }

        return reference;
    }

    private BoundValue? BindReferenceList(ValueSyntax syntax, ReferenceListType type, Context context)
    {
        if (syntax is not ListSyntax list)
        {
            return Mismatch(syntax, type);
        }

        var items = ImmutableArray.CreateBuilder<BoundReference>();
        var failed = false;
        foreach (var item in list.Items)
        {
            var reference = item is SweepSyntax or InlineStageSyntax ? (BoundReference?)BindValue(item, type, null, context) : BindReference(item);
            if (reference is null)
            {
                failed = true;
                continue;
            }

            if (!type.Accepted.Contains(reference.Type))
            {
                Report(CompilerDiagnostics.WrongArtifact(item.Span, reference.Dotted, reference.Type, string.Join(" or ", type.Accepted.Select(a => a.WithArticle()))));
                failed = true;
                continue;
            }

            items.Add(reference);
        }

        if (!failed && items.Count < type.MinCount)
        {
            Report(CompilerDiagnostics.WrongListCount(syntax.Span, items.Count, type));
            return null;
        }

        return failed ? null : new BoundReferenceList(syntax.Span, items.ToImmutable());
    }

    private BoundValue? BindInlineStage(InlineStageSyntax inline, ReferenceType type, Context context)
    {
        var kind = StageCatalog.FindKind(inline.Kind.Name);
        if (kind is null)
        {
            Report(CompilerDiagnostics.UnknownKind(inline.Kind.Span, inline.Kind.Name, StageCatalog.Kinds.Select(k => k.Name)));
            return null;
        }

        if (kind.Produces != type.Expected)
        {
            Report(CompilerDiagnostics.WrongArtifact(inline.Kind.Span, inline.Kind.Name, kind.Produces, type.Expected.WithArticle()));
            return null;
        }

        var name = $"{context.Stage!.Name}.{context.Property}";
        var stage = new StageSymbol(name, kind.Role, kind, inline.Span, inline.Kind.Span, currentPath, context.Stage.Name);
        stages[name] = stage;
        var saved = currentPath;
        BindStage(stage, inline.Properties);
        currentPath = saved;
        return new BoundReference(inline.Span, name, ImmutableArray<BoundStep>.Empty, kind.Produces);
    }

    /// <summary>Resolves <c>stage</c>, <c>stage.member</c> or <c>stage.member.call(args)</c> to a reference and its artifact type.</summary>
    private BoundReference? BindReference(ValueSyntax syntax)
    {
        ReferenceSyntax path;
        ImmutableArray<ArgumentSyntax>? arguments = null;
        switch (syntax)
        {
            case ReferenceSyntax reference:
                path = reference;
                break;
            case CallSyntax call:
                path = call.Callee;
                arguments = call.Arguments;
                break;
            default:
                Report(CompilerDiagnostics.TypeMismatch(syntax.Span, "a reference to a stage", Describe(syntax)));
                return null;
        }

        var head = path.Parts[0];
        if (unknownKindStages.Contains(head.Name))
        {
            // The stage's kind is reported (PIPE1002); what it gives, and so whether this reference fits, is unknown.
            return null;
        }

        if (!stages.TryGetValue(head.Name, out var stage) || stage.IsInline)
        {
            Report(CompilerDiagnostics.UnknownStage(head.Span, head.Name, DeclaredStageNames()));
            return null;
        }

        if (arguments is not null && path.Parts.Length == 1)
        {
            Report(CompilerDiagnostics.NotCallable(syntax.Span, head.Name));
            return null;
        }

        var current = stage.Kind.Produces;
        var steps = ImmutableArray.CreateBuilder<BoundStep>();
        for (var i = 1; i < path.Parts.Length; i++)
        {
            var part = path.Parts[i];
            var member = StageCatalog.FindMember(current, part.Name);
            if (member is null)
            {
                Report(CompilerDiagnostics.UnknownMember(part.Span, part.Name, current, StageCatalog.Members.Where(m => m.Owner == current).Select(m => m.Name).ToList()));
                return null;
            }

            var isCalled = arguments is not null && i == path.Parts.Length - 1;
            if (isCalled && !member.IsCall)
            {
                Report(CompilerDiagnostics.NotCallable(syntax.Span, member.Name));
                return null;
            }

            var bound = BindArguments(isCalled ? syntax.Span : part.Span, member.Name, member.Parameters, isCalled ? arguments!.Value : ImmutableArray<ArgumentSyntax>.Empty, new Context(null, member.Name));
            if (bound is null)
            {
                return null;
            }

            steps.Add(new BoundStep(member.Name, bound.Value));
            current = member.Result;
        }

        return new BoundReference(syntax.Span, stage.Name, steps.ToImmutable(), current);
    }
}
