using System.Collections.Immutable;
using Pipeline.Dsl.Syntax;
using Sprache;

namespace Pipeline.Dsl.Parsing;

internal static partial class PipelineGrammar
{
    // The order in which partial parts initialise is unspecified, so rules of the lower levels are reached through
    // Ref here (a forward reference as far as this part knows).
    private static readonly Parser<IdentifierSyntax> DeclaredName = Ref(() => Identifier);
    private static readonly Parser<ValueSyntax> DeclaredValue = Ref(() => Value);
    private static readonly Parser<int> DeclaredSeparator = Ref(() => MemberSeparator);
    private static readonly Parser<StringLiteralSyntax> DeclaredPath = Ref(() => StringLiteral);
    private static readonly Parser<int> DeclaredTrivia = Ref(() => Trivia);
    private static readonly Parser<ExpectationSyntax> DeclaredExpectation = Ref(() => ExpectationDeclaration);

    // property_assignment = identifier "=" value ;
    internal static readonly Parser<PropertySyntax> PropertyAssignment =
        (from name in DeclaredName
         from assign in Symbol('=')
         from value in DeclaredValue
         select new PropertySyntax(Span(name.Span.Start, value.Span.End), name, value))
        .Named("property");

    // property_list = { property_assignment member_separator } ;
    internal static readonly Parser<ImmutableArray<PropertySyntax>> PropertyList =
        PropertyAssignment.Then(p => DeclaredSeparator.Return(p)).Many().Select(p => p.ToImmutableArray());

    // stage_body = "{" property_list "}" ;
    internal static readonly Parser<(int Open, ImmutableArray<PropertySyntax> Properties, int Close)> StageBody =
        from open in Symbol('{')
        from properties in PropertyList
        from close in Symbol('}')
        select (open, properties, close);

    // role = identifier ;   (one of the role keywords; another word parses and gets PIPE0026)
    internal static readonly Parser<IdentifierSyntax> Role = DeclaredName.Named("role");

    /// <summary>The head of a stage declaration, up to and including its opening brace; used by recovery.</summary>
    internal static readonly Parser<(IdentifierSyntax Role, IdentifierSyntax Name, IdentifierSyntax Kind, int Open)> StageHeader =
        from role in Role
        from name in DeclaredName
        from assign in Symbol('=')
        from kind in DeclaredName.Named("stage kind")
        from open in Symbol('{')
        select (role, name, kind, open);

    // stage_declaration = role identifier "=" identifier stage_body ;
    internal static readonly Parser<StageSyntax> StageDeclaration =
        (from role in Role
         from name in DeclaredName
         from assign in Symbol('=')
         from kind in DeclaredName.Named("stage kind")
         from body in StageBody
         select new StageSyntax(Span(role.Span.Start, body.Close + 1), role, name, kind, body.Properties))
        .Named("stage");

    // override_declaration = identifier "." identifier { "." identifier } "=" value ;
    internal static readonly Parser<OverrideSyntax> OverrideDeclaration =
        from first in DeclaredName
        from rest in Symbol('.').Then(_ => DeclaredName).AtLeastOnce()
        from assign in Symbol('=')
        from value in DeclaredValue
        select new OverrideSyntax(Span(first.Span.Start, value.Span.End), rest.Prepend(first).ToImmutableArray(), value);

    // member = stage_declaration | expectation_declaration | override_declaration | property_assignment ;
    internal static readonly Parser<MemberSyntax> Member =
        StageDeclaration.Select(m => (MemberSyntax)m)
            .Or(DeclaredExpectation)
            .Or(OverrideDeclaration)
            .Or(PropertyAssignment)
            .Named("member");

    // member_list = { member member_separator } ;
    internal static readonly Parser<ImmutableArray<MemberSyntax>> MemberList =
        Member.Then(m => DeclaredSeparator.Return(m)).Many().Select(m => m.ToImmutableArray());

    // extends_clause = "extends" string_literal ;
    internal static readonly Parser<ExtendsClauseSyntax> ExtendsClause =
        from keyword in Keyword(SyntaxKeywords.Extends)
        from path in DeclaredPath
        select new ExtendsClauseSyntax(Span(keyword.Span.Start, path.Span.End), path);

    /// <summary>The head of the experiment, up to and including its opening brace; used by recovery.</summary>
    internal static readonly Parser<(IdentifierSyntax Keyword, IdentifierSyntax Name, ExtendsClauseSyntax? Extends, int Open)> ExperimentHeader =
        from keyword in Keyword(SyntaxKeywords.Experiment)
        from name in DeclaredName.Named("experiment name")
        from extends in ExtendsClause.Optional()
        from open in Symbol('{')
        select (keyword, name, extends.GetOrDefault(), open);

    // experiment_declaration = "experiment" identifier [ extends_clause ] "{" member_list "}" ;
    internal static readonly Parser<ExperimentSyntax> ExperimentDeclaration =
        from header in ExperimentHeader
        from members in MemberList
        from close in Symbol('}')
        select new ExperimentSyntax(Span(header.Keyword.Span.Start, close + 1), header.Name, header.Extends, members);

    // compilation_unit = trivia experiment_declaration trivia ;   (the single entry point)
    internal static readonly Parser<CompilationUnitSyntax> CompilationUnit =
        (from experiment in ExperimentDeclaration
         from trailing in DeclaredTrivia
         select new CompilationUnitSyntax(Span(0, trailing), experiment, ImmutableArray<CommentSyntax>.Empty, ImmutableArray<CommentSyntax>.Empty))
        .End();
}
