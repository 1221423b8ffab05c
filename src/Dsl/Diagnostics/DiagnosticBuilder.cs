using System.Collections.Immutable;
using System.Reflection;
using Pipeline.Dsl.Syntax;
using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Diagnostics;

/// <summary>
/// The catalogue of syntax-level diagnostics (<c>PIPE0xxx</c>), one method per diagnostic, as Bicep's
/// DiagnosticBuilder. Codes are stable and never reused: a retired code stays listed in <see cref="RetiredCodes"/>.
/// Every message is one sentence that says how to fix the problem.
/// </summary>
public static partial class DiagnosticBuilder
{
    // Guards: the text cannot be parsed safely.
    public const string FileTooLargeCode = "PIPE0001";
    public const string LineTooLongCode = "PIPE0002";
    public const string NestingTooDeepCode = "PIPE0003";
    public const string NulCharacterCode = "PIPE0004";
    public const string ControlCharacterCode = "PIPE0005";
    public const string InvalidTextCode = "PIPE0006";

    // Structure: brackets and strings, found by the pre-scan.
    public const string UnterminatedStringCode = "PIPE0010";
    public const string UnclosedBracketCode = "PIPE0011";
    public const string UnexpectedClosingBracketCode = "PIPE0012";
    public const string MismatchedBracketCode = "PIPE0013";

    // Grammar.
    public const string ExpectedExperimentCode = "PIPE0020";
    public const string ExpectedNameCode = "PIPE0021";
    public const string ExpectedValueCode = "PIPE0022";
    public const string ExpectedTokenCode = "PIPE0023";
    public const string MissingSeparatorCode = "PIPE0024";
    public const string TextAfterExperimentCode = "PIPE0025";
    public const string UnknownRoleCode = "PIPE0026";
    public const string TextAfterValueCode = "PIPE0027";

    // Literals.
    public const string IntegerOutOfRangeCode = "PIPE0030";
    public const string RealOutOfRangeCode = "PIPE0031";
    public const string InvalidEscapeCode = "PIPE0032";

    // Composition.
    public const string BaseFileNotFoundCode = "PIPE0040";
    public const string ExtendsCycleCode = "PIPE0041";
    public const string OverrideOfUnknownStageCode = "PIPE0042";
    public const string OverrideIntoScalarCode = "PIPE0043";
    public const string ExtendsTooDeepCode = "PIPE0044";

    // Expectations.
    public const string MalformedExpectationCode = "PIPE0060";

    /// <summary>Codes no longer produced; kept so that they are never reused.</summary>
    public static readonly ImmutableArray<string> RetiredCodes = [];

    /// <summary>Every code this catalogue defines, live and retired, for the cross-layer uniqueness test.</summary>
    public static ImmutableArray<string> AllCodes { get; } = typeof(DiagnosticBuilder)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.Name.EndsWith("Code", StringComparison.Ordinal))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Concat(RetiredCodes)
        .ToImmutableArray();

    public static Diagnostic FileTooLarge(int length, int limit) =>
        Error(new TextSpan(0, 0), FileTooLargeCode, $"The file has {length:N0} characters, more than the {limit:N0} allowed; split it into a base file and a file that extends it.");

    public static Diagnostic LineTooLong(TextSpan span, int limit) =>
        Error(span, LineTooLongCode, $"This line is longer than {limit:N0} characters; break it into one property per line.");

    public static Diagnostic NestingTooDeep(TextSpan span, int limit) =>
        Error(span, NestingTooDeepCode, $"Brackets are nested more than {limit} deep here; flatten the value.");

    public static Diagnostic NulCharacter(TextSpan span) =>
        Error(span, NulCharacterCode, "The file contains a NUL byte, so it is probably binary; check that you passed an experiment file saved as UTF-8 text.");

    public static Diagnostic ControlCharacter(TextSpan span, char character) =>
        Error(span, ControlCharacterCode, $"Remove the control character U+{(int)character:X4}, which an experiment file cannot contain.");

    public static Diagnostic InvalidText(TextSpan span) =>
        Error(span, InvalidTextCode, "The text here is not valid UTF-8 (or holds an unpaired surrogate); save the file as UTF-8.");

    public static Diagnostic UnterminatedString(TextSpan span) =>
        Error(span, UnterminatedStringCode, "Close this string with '\"' before the end of the line.");

    public static Diagnostic UnclosedBracket(TextSpan span, char open, char close) =>
        Error(span, UnclosedBracketCode, $"Close the '{open}' opened here with a matching '{close}'.");

    public static Diagnostic UnexpectedClosingBracket(TextSpan span, char close) =>
        Error(span, UnexpectedClosingBracketCode, $"Remove this '{close}' or add the bracket it should close before it.");

    public static Diagnostic MismatchedBracket(TextSpan span, char open, int openLine, char expected, char found) =>
        Error(span, MismatchedBracketCode, $"Close the '{open}' from line {openLine} with '{expected}' instead of '{found}'.");

    public static Diagnostic ExpectedExperiment(TextSpan span, string found) =>
        Error(span, ExpectedExperimentCode, $"Start the file with 'experiment NAME {{' instead of {found}.");

    public static Diagnostic ExpectedName(TextSpan span, string found) =>
        Error(span, ExpectedNameCode, $"Write a name (a letter or '_' followed by letters, digits or '_') here instead of {found}.");

    public static Diagnostic ExpectedValue(TextSpan span, string found) =>
        Error(span, ExpectedValueCode, $"Write a value (a number, string, true/false, name, list, map, call or inline stage) here instead of {found}.");

    public static Diagnostic ExpectedToken(TextSpan span, string expected, string found) =>
        Error(span, ExpectedTokenCode, $"Write {expected} here instead of {found}.");

    public static Diagnostic MissingSeparator(TextSpan span, string found) =>
        Error(span, MissingSeparatorCode, $"Start a new line or write ',' before {found}, so that each property stands on its own.");

    public static Diagnostic TextAfterExperiment(TextSpan span) =>
        Error(span, TextAfterExperimentCode, "Remove the text after the experiment's closing '}', because a file holds exactly one experiment.");

    public static Diagnostic UnknownRole(TextSpan span, string role) =>
        Error(span, UnknownRoleCode, $"Replace '{role}' with a stage role: {string.Join(", ", SyntaxKeywords.Roles)}{Suggestions.DidYouMean(role, SyntaxKeywords.Roles)}.");

    public static Diagnostic TextAfterValue(TextSpan span, string found) =>
        Error(span, TextAfterValueCode, $"Remove {found} and what follows it, because a single value ends before it.");

    public static Diagnostic IntegerOutOfRange(TextSpan span, string text) =>
        Error(span, IntegerOutOfRangeCode, $"The integer {Shorten(text)} does not fit in 64 bits; write a smaller number or a real such as 1e30.");

    public static Diagnostic RealOutOfRange(TextSpan span, string text) =>
        Error(span, RealOutOfRangeCode, $"The number {Shorten(text)} is too large for a 64-bit real; write a smaller exponent.");

    public static Diagnostic InvalidEscape(TextSpan span, string escape) =>
        Error(span, InvalidEscapeCode, $"Replace the escape '{escape}' with one of \\\", \\\\, \\n, \\r, \\t or \\uXXXX.");

    public static Diagnostic BaseFileNotFound(TextSpan span, string path) =>
        Error(span, BaseFileNotFoundCode, $"The base file '{path}' cannot be read; fix the path, which is relative to the extending file.");

    public static Diagnostic ExtendsCycle(TextSpan span, IEnumerable<string> chain) =>
        Error(span, ExtendsCycleCode, $"The files extend each other in a cycle ({string.Join(" → ", chain)}); remove one of the extends clauses.");

    public static Diagnostic ExtendsTooDeep(TextSpan span, int limit) =>
        Error(span, ExtendsTooDeepCode, $"The extends chain is more than {limit} files deep here; merge some of its base files into one.");

    public static Diagnostic OverrideOfUnknownStage(TextSpan span, string stage, IEnumerable<string> stages) =>
        Error(span, OverrideOfUnknownStageCode, $"The override targets stage '{stage}', which the experiment does not declare; name a declared stage{Suggestions.DidYouMeanOrList(stage, stages)}.");

    public static Diagnostic OverrideIntoScalar(TextSpan span, string path, string property) =>
        Error(span, OverrideIntoScalarCode, $"The override '{path}' sets a key inside '{property}', which is neither a map nor an inline stage; override '{property}' as a whole instead.");

    public static Diagnostic MalformedExpectation(TextSpan span, string expected, string found) =>
        Error(span, MalformedExpectationCode, $"Write {expected} here instead of {found}: an expectation reads 'expect STAGE.METRIC(JUDGE).DIMENSION > VALUE' (or '<'), such as 'expect dpo.win_rate(oracle).TA > 0.5', where VALUE is a number or another metric.");

    /// <summary>Turns a found token into words for a message: <c>'x'</c>, or <c>the end of the file</c>.</summary>
    public static string Describe(string? found) => found switch
    {
        null or "" => "the end of the file",
        "\n" or "\r" => "the end of the line",
        _ => $"'{Shorten(found)}'",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";

    private static Diagnostic Error(TextSpan span, string code, string message) => new(span, DiagnosticLevel.Error, code, message);
}
