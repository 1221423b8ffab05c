using System.Collections.Immutable;
using System.Reflection;
using Pipeline.Catalog;
using Pipeline.Dsl.Diagnostics;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Diagnostics;

/// <summary>
/// The compiler's diagnostics catalogue (Bicep's DiagnosticBuilder): <c>PIPE1xxx</c> names and binding,
/// <c>PIPE2xxx</c> types and values, <c>PIPE3xxx</c> emit. One method per diagnostic; codes are stable and never
/// reused (retired ones stay in <see cref="RetiredCodes"/>); each message is one sentence that says how to fix it.
/// </summary>
public static partial class CompilerDiagnostics
{
    // Names and binding.
    public const string UnknownStageCode = "PIPE1001";
    public const string UnknownKindCode = "PIPE1002";
    public const string RoleDoesNotFitKindCode = "PIPE1003";
    public const string DuplicateStageCode = "PIPE1004";
    public const string UnknownPropertyCode = "PIPE1005";
    public const string MissingPropertyCode = "PIPE1006";
    public const string DuplicatePropertyCode = "PIPE1007";
    public const string UnknownMemberCode = "PIPE1008";
    public const string WrongArtifactCode = "PIPE1009";
    public const string CycleCode = "PIPE1010";
    public const string UnusedStageCode = "PIPE1011";
    public const string UnknownExperimentPropertyCode = "PIPE1012";
    public const string InvalidSetPathCode = "PIPE1013";
    public const string InlineStageNotAllowedCode = "PIPE1014";
    public const string UnknownArgumentCode = "PIPE1015";
    public const string MissingArgumentCode = "PIPE1016";
    public const string NotCallableCode = "PIPE1017";
    public const string SweepNotAllowedCode = "PIPE1018";
    public const string TooManyArgumentsCode = "PIPE1019";
    public const string WholeStageExpectedCode = "PIPE1070";

    // Expectations: names.
    public const string InitFileNotFoundCode = "PIPE1080";
    public const string InitFileUnreadableCode = "PIPE1081";
    public const string InitFileWrongExtensionCode = "PIPE1082";
    public const string ZeroStepsWithoutInitCode = "PIPE1083";
    public const string ExpectationUnknownStageCode = "PIPE1050";
    public const string UnknownMetricCode = "PIPE1051";
    public const string NotEvaluatedCode = "PIPE1052";
    public const string UnknownJudgeCode = "PIPE1053";
    public const string AmbiguousWinRateCode = "PIPE1054";
    public const string DuplicateExpectationCode = "PIPE1055";

    // Types and values.
    public const string TypeMismatchCode = "PIPE2001";
    public const string IntegerOutOfRangeCode = "PIPE2002";
    public const string RealOutOfRangeCode = "PIPE2003";
    public const string UnknownWordCode = "PIPE2004";
    public const string WrongListCountCode = "PIPE2005";
    public const string DuplicateListItemCode = "PIPE2006";
    public const string UnknownFieldCode = "PIPE2007";
    public const string SplitSumCode = "PIPE2008";
    public const string DimensionMismatchCode = "PIPE2009";
    public const string CleanRewardForGuidanceCode = "PIPE2010";
    public const string CleanRewardAblationCode = "PIPE2011";
    public const string BttWithTiesDroppedCode = "PIPE2012";
    public const string DataFileNotFoundCode = "PIPE2013";
    public const string DataFileMissingColumnsCode = "PIPE2014";
    public const string TooFewSamplesCode = "PIPE2015";
    public const string LatentDoesNotFitCode = "PIPE2016";
    public const string EmptySweepCode = "PIPE2017";
    public const string DataFileWrongExtensionCode = "PIPE2018";
    public const string DataFileUnreadableCode = "PIPE2019";
    public const string SweepTooLargeCode = "PIPE2020";

    // Replicates and expectations: values.
    public const string ReplicateSeedOutOfRangeCode = "PIPE2040";
    public const string UnknownDimensionCode = "PIPE2041";
    public const string DimensionNotJudgedCode = "PIPE2042";
    public const string ThresholdNeverHoldsCode = "PIPE2043";
    public const string ComparesWithItselfCode = "PIPE2044";

    // Emit.
    public const string RuntimeLacksKindCode = "PIPE3001";
    public const string RuntimeLacksPropertyCode = "PIPE3002";
    public const string GeneratedCodeErrorCode = "PIPE3003";
    public const string RuntimeReferenceMissingCode = "PIPE3004";
    public const string SweepNotSelectedCode = "PIPE3005";
    public const string OutputNotWritableCode = "PIPE3006";
    public const string RuntimeLacksEvidenceCode = "PIPE3020";
    public const string RuntimeTypeMismatchCode = "PIPE3030";
    public const string RuntimeLacksTypeCode = "PIPE3031";
    public const string RuntimeLacksCatalogCode = "PIPE3032";
    public const string RuntimeLacksMemberCode = "PIPE3033";

    /// <summary>Codes no longer produced; kept so that they are never reused.</summary>
    public static readonly ImmutableArray<string> RetiredCodes = [];

    /// <summary>Every code this catalogue defines, live and retired, for the cross-layer uniqueness test.</summary>
    public static ImmutableArray<string> AllCodes { get; } = typeof(CompilerDiagnostics)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.Name.EndsWith("Code", StringComparison.Ordinal))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Concat(RetiredCodes)
        .ToImmutableArray();

    public static Diagnostic UnknownStage(TextSpan span, string name, IEnumerable<string> stages) =>
        Error(span, UnknownStageCode, $"No stage is named '{name}'; declare it or name a declared stage{Suggestions.DidYouMeanOrList(name, stages)}.");

    public static Diagnostic UnknownKind(TextSpan span, string kind, IEnumerable<string> kinds) =>
        Error(span, UnknownKindCode, $"'{kind}' is not a stage kind; use one of the catalogue's kinds{Suggestions.DidYouMeanOrList(kind, kinds)}.");

    public static Diagnostic RoleDoesNotFitKind(TextSpan span, string role, string kind, string expectedRole) =>
        Error(span, RoleDoesNotFitKindCode, $"A '{kind}' stage is declared with the role '{expectedRole}', not '{role}'; write '{expectedRole}'.");

    public static Diagnostic DuplicateStage(TextSpan span, string name) =>
        Error(span, DuplicateStageCode, $"The stage name '{name}' is declared twice; rename one of the stages.");

    public static Diagnostic UnknownProperty(TextSpan span, string property, string owner, IEnumerable<string> properties) =>
        Error(span, UnknownPropertyCode, $"'{owner}' has no property '{property}'; remove it or use a known property{Suggestions.DidYouMeanOrList(property, properties)}.");

    public static Diagnostic MissingProperty(TextSpan span, string property, string owner, string type) =>
        Error(span, MissingPropertyCode, $"'{owner}' needs the property '{property}' ({type}); add it.");

    public static Diagnostic WholeStageExpected(TextSpan span, string property, string reference, string stage) =>
        Error(span, WholeStageExpectedCode, $"'{property}' takes a whole stage, whose train/eval split it keeps, not '{reference}'; write '{stage}'.");

    public static Diagnostic DuplicateProperty(TextSpan span, string property) =>
        Error(span, DuplicatePropertyCode, $"The property '{property}' is set twice; keep one of them.");

    public static Diagnostic UnknownMember(TextSpan span, string member, ArtifactType artifact, IReadOnlyCollection<string> members) =>
        Error(span, UnknownMemberCode, members.Count == 0
            ? $"{Capitalised(artifact.WithArticle())} has no members; remove '.{member}' and reference the stage itself."
            : $"{Capitalised(artifact.WithArticle())} has no member '{member}'; use one of its members{Suggestions.DidYouMeanOrList(member, members)}.");

    public static Diagnostic WrongArtifact(TextSpan span, string reference, ArtifactType actual, string expected) =>
        Error(span, WrongArtifactCode, $"'{reference}' is {actual.WithArticle()}, but {expected} is needed here; reference a stage that produces {expected}.");

    public static Diagnostic Cycle(TextSpan span, IEnumerable<string> chain) =>
        Error(span, CycleCode, $"The stages depend on each other in a cycle ({string.Join(" → ", chain)}); remove one of the references.");

    public static Diagnostic UnusedStage(TextSpan span, string name) =>
        Warning(span, UnusedStageCode, $"Nothing reads the stage '{name}'; remove it or reference it from another stage.");

    public static Diagnostic UnknownExperimentProperty(TextSpan span, string property, IEnumerable<string> properties) =>
        Error(span, UnknownExperimentPropertyCode, $"An experiment has no property '{property}'; use one of {string.Join(", ", properties)}{Suggestions.DidYouMean(property, properties)}.");

    public static Diagnostic InvalidSetPath(TextSpan span, string path, string reason) =>
        Error(span, InvalidSetPathCode, $"The override '{path}' {reason}; write --set STAGE.PROPERTY=VALUE, STAGE.PROPERTY.KEY=VALUE or PROPERTY=VALUE.");

    public static Diagnostic InlineStageNotAllowed(TextSpan span, string property) =>
        Error(span, InlineStageNotAllowedCode, $"The property '{property}' cannot hold an inline stage; declare the stage at experiment level and reference it by name.");

    public static Diagnostic UnknownArgument(TextSpan span, string argument, string callee, IEnumerable<string> parameters) =>
        Error(span, UnknownArgumentCode, $"'{callee}' has no parameter '{argument}'; use one of its parameters{Suggestions.DidYouMeanOrList(argument, parameters)}.");

    public static Diagnostic MissingArgument(TextSpan span, string parameter, string callee) =>
        Error(span, MissingArgumentCode, $"'{callee}' needs the argument '{parameter}'; add it.");

    public static Diagnostic NotCallable(TextSpan span, string name) =>
        Error(span, NotCallableCode, $"'{name}' takes no arguments; remove the parentheses.");

    public static Diagnostic SweepNotAllowed(TextSpan span) =>
        Error(span, SweepNotAllowedCode, "A sweep can only be a property's whole value or a map entry's value; move the sweep up to the property.");

    public static Diagnostic TooManyArguments(TextSpan span, string callee, int count) =>
        Error(span, TooManyArgumentsCode, $"'{callee}' takes at most {Wording.Count(count, "argument")}; remove the extra ones.");

    public static Diagnostic TypeMismatch(TextSpan span, PropertyType expected, string found) => TypeMismatch(span, TypePhrase.WithArticle(expected), found);

    /// <summary>A mismatch where the expected form is no catalogue type; <c>expected</c> has its article ("a reference to a stage").</summary>
    public static Diagnostic TypeMismatch(TextSpan span, string expected, string found) =>
        Error(span, TypeMismatchCode, $"Write {expected} here instead of {found}.");

    public static Diagnostic IntegerOutOfRange(TextSpan span, long value, PropertyType type) =>
        Error(span, IntegerOutOfRangeCode, $"The value {value} is out of range; write {TypePhrase.WithArticle(type)}.");

    public static Diagnostic RealOutOfRange(TextSpan span, double value, PropertyType type) =>
        Error(span, RealOutOfRangeCode, $"The value {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} is out of range; write {TypePhrase.WithArticle(type)}.");

    public static Diagnostic UnknownWord(TextSpan span, string word, IEnumerable<string> words) =>
        Error(span, UnknownWordCode, $"'{word}' is not allowed here; write one of {string.Join(", ", words)}{Suggestions.DidYouMean(word, words)}.");

    public static Diagnostic WrongListCount(TextSpan span, int count, PropertyType type) =>
        Error(span, WrongListCountCode, $"The list has {Wording.Count(count, "item")}; write {TypePhrase.WithArticle(type)}.");

    public static Diagnostic DuplicateListItem(TextSpan span, string item) =>
        Error(span, DuplicateListItemCode, $"'{item}' appears twice in the list; remove the repeat.");

    public static Diagnostic UnknownField(TextSpan span, string field, IEnumerable<string> fields) =>
        Error(span, UnknownFieldCode, $"'{field}' is not a key of this map; use one of {string.Join(", ", fields)}{Suggestions.DidYouMean(field, fields)}.");

    public static Diagnostic SplitSum(TextSpan span, double sum) =>
        Error(span, SplitSumCode, $"The split fractions sum to {sum.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}; make train and eval sum to 1.");

    public static Diagnostic DimensionMismatch(TextSpan span, string what, IReadOnlyCollection<string> missing, IEnumerable<string> available) =>
        Error(span, DimensionMismatchCode, $"{what} uses the {Wording.Noun(missing.Count, "dimension")} {string.Join(", ", missing)}, which the input does not have ({string.Join(", ", available)}); use only the input's dimensions.");

    public static Diagnostic CleanRewardForGuidance(TextSpan span, string reward) =>
        Error(span, CleanRewardForGuidanceCode, $"The latent reward '{reward}' is trained on clean latents, and the paper shows that guiding with a clean reward fails; set noisy = true on it, or set ablation = true to run the paper's ablation.");

    public static Diagnostic CleanRewardAblation(TextSpan span, string reward) =>
        Warning(span, CleanRewardAblationCode, $"The latent reward '{reward}' is trained on clean latents, and the paper shows that guiding with a clean reward fails; this runs only as the ablation, so set noisy = true for real results.");

    public static Diagnostic BttWithTiesDropped(TextSpan span, string pairs) =>
        Warning(span, BttWithTiesDroppedCode, $"The btt loss models ties, but '{pairs}' drops them; set ties = keep on '{pairs}' or use loss = bt.");

    public static Diagnostic DataFileNotFound(TextSpan span, string path, string fullPath) =>
        Error(span, DataFileNotFoundCode, $"The data file '{path}' does not exist (looked for {fullPath}); fix the path, which is relative to the experiment file.");

    public static Diagnostic DataFileUnreadable(TextSpan span, string path, string fullPath, string reason) =>
        Error(span, DataFileUnreadableCode, $"The data file '{path}' ({fullPath}) cannot be read: {reason}; name a CSV or JSONL file.");

    public static Diagnostic DataFileMissingColumns(TextSpan span, string path, IReadOnlyCollection<string> columns) =>
        Error(span, DataFileMissingColumnsCode, $"The data file '{path}' lacks the {Wording.Noun(columns.Count, "column")} {string.Join(", ", columns)}; add {(columns.Count == 1 ? "it" : "them")} to its header.");

    public static Diagnostic InitFileNotFound(TextSpan span, string path, string fullPath) =>
        Error(span, InitFileNotFoundCode, $"The weights file '{path}' does not exist (looked for {fullPath}); fix the path, which is relative to the experiment file (a run exports its models into --out/models).");

    public static Diagnostic InitFileUnreadable(TextSpan span, string path, string reason) =>
        Error(span, InitFileUnreadableCode, $"The weights file '{path}' cannot be read: {reason}; name a .safetensors model file or a PyTorch state dict.");

    public static Diagnostic InitFileWrongExtension(TextSpan span, string path, IReadOnlyList<string> extensions) =>
        Error(span, InitFileWrongExtensionCode, $"The weights file '{path}' is not a model file; name a {string.Join(", ", extensions.Take(extensions.Count - 1))} or {extensions[^1]} file.");

    public static Diagnostic ZeroStepsWithoutInit(TextSpan span, string steps) =>
        Error(span, ZeroStepsWithoutInitCode, $"{steps} = 0 trains nothing, which leaves a random network; give init = file(\"...\") to use given weights as they are, or train at least one step.");

    public static Diagnostic TooFewSamples(TextSpan span, long samples) =>
        Warning(span, TooFewSamplesCode, $"Only {samples} (prompt, seed) samples are compared, fewer than the 256 findings need; raise the prompts or the seeds.");

    public static Diagnostic LatentDoesNotFit(TextSpan span, string what) =>
        Error(span, LatentDoesNotFitCode, $"The latent shape does not fit the videos ({what}); make the latent's T, H and W at most the videos' frames and resolution.");

    public static Diagnostic SweepTooLarge(TextSpan span, long limit) =>
        Error(span, SweepTooLargeCode, $"With this sweep the experiment expands into more than {limit:N0} runs; sweep fewer values or fewer properties at once.");

    public static Diagnostic EmptySweep(TextSpan span) =>
        Error(span, EmptySweepCode, "A sweep needs at least one point; write sweep [a, b, ...].");

    public static Diagnostic DataFileWrongExtension(TextSpan span, string path, PropertyType type) =>
        Error(span, DataFileWrongExtensionCode, $"The data file '{path}' has the wrong extension; write {TypePhrase.WithArticle(type)}.");

    public static Diagnostic RuntimeLacksKind(TextSpan span, string kind, string typeName) =>
        Error(span, RuntimeLacksKindCode, $"The runtime does not implement the stage kind '{kind}' yet ({typeName} is missing); use a kind the runtime implements or update the runtime.");

    public static Diagnostic RuntimeLacksProperty(TextSpan span, string kind, string property) =>
        Error(span, RuntimeLacksPropertyCode, $"The runtime's options for '{kind}' have no property for '{property}'; update the runtime to the catalogue.");

    public static Diagnostic RuntimeTypeMismatch(TextSpan span, string kind, string property, string actual, string expected) =>
        Error(span, RuntimeTypeMismatchCode, $"The runtime's options for '{kind}' have '{property}' as {actual}, but the catalogue says {expected}; update the runtime to the catalogue.");

    public static Diagnostic RuntimeLacksType(TextSpan span, string type, string what) =>
        Error(span, RuntimeLacksTypeCode, $"The runtime has no type {type}, which the catalogue names as {what}; update the runtime to the catalogue.");

    public static Diagnostic RuntimeLacksCatalog(TextSpan span, string kind, string call) =>
        Error(span, RuntimeLacksCatalogCode, $"The runtime's stage for '{kind}' takes an estimator, but no MLContext catalog makes one as {call}; update the runtime.");

    public static Diagnostic RuntimeLacksMember(TextSpan span, string kind, string property, string member) =>
        Error(span, RuntimeLacksMemberCode, $"The value of '{kind}.{property}' needs {member} of the runtime, which it lacks; update the runtime to the catalogue.");

    public static Diagnostic GeneratedCodeError(TextSpan span, string roslynId, string message) =>
        Error(span, GeneratedCodeErrorCode, $"The generated C# for this line does not compile ({roslynId}: {message}); report this as a compiler bug.");

    public static Diagnostic RuntimeReferenceMissing(TextSpan span) =>
        Error(span, RuntimeReferenceMissingCode, "The runtime assembly Pipeline.Runtime.dll is not among the reference assemblies; run the compiler through the pipeline CLI, which supplies it.");

    public static Diagnostic SweepNotSelected(TextSpan span, long count, IEnumerable<string> swept) =>
        Error(span, SweepNotSelectedCode, $"The experiment sweeps {count} points and one assembly holds one point; choose one with --point N (N from 0 to {count - 1}) or by its values with {string.Join(" ", swept.Select(p => $"--set {p}=VALUE"))}, or let 'pipeline run' run every point.");

    public static Diagnostic OutputNotWritable(TextSpan span, string path, string reason) =>
        Error(span, OutputNotWritableCode, $"Cannot write '{path}' ({reason}); choose a writable output folder.");

    public static Diagnostic ExpectationUnknownStage(TextSpan span, string name, IEnumerable<string> methods) =>
        Error(span, ExpectationUnknownStageCode, $"No stage is named '{name}'; an expectation names a method of a win_rates stage{Suggestions.DidYouMeanOrList(name, methods)}.");

    public static Diagnostic UnknownMetric(TextSpan span, string metric, IEnumerable<string> metrics) =>
        Error(span, UnknownMetricCode, $"'{metric}' is not a metric an expectation can compare; write {string.Join(" or ", metrics.Select(m => m + "(JUDGE)"))}{Suggestions.DidYouMean(metric, metrics)}.");

    public static Diagnostic NotEvaluated(TextSpan span, string stage, IEnumerable<string> methods) =>
        Error(span, NotEvaluatedCode, methods.Any()
            ? $"No win_rates stage compares '{stage}'; add it to the methods of one, or name a method that is compared{Suggestions.DidYouMeanOrList(stage, methods)}."
            : $"No win_rates stage compares '{stage}'; add a win_rates stage with '{stage}' among its methods.");

    public static Diagnostic UnknownJudge(TextSpan span, string judge, string stage, IEnumerable<string> judges) =>
        Error(span, UnknownJudgeCode, $"'{judge}' does not judge '{stage}' in any win_rates stage; name one of its judges{Suggestions.DidYouMeanOrList(judge, judges)}, or add '{judge}' to the judges of a win_rates stage that compares '{stage}'.");

    public static Diagnostic AmbiguousWinRate(TextSpan span, string stage, string judge, IEnumerable<string> evaluations) =>
        Error(span, AmbiguousWinRateCode, $"The win_rates stages {string.Join(" and ", evaluations)} both compare '{stage}' under '{judge}', and results.json keeps one win rate per method and judge; compare '{stage}' under '{judge}' in one of them only.");

    public static Diagnostic DuplicateExpectation(TextSpan span, string expression) =>
        Warning(span, DuplicateExpectationCode, $"The expectation '{expression}' is declared twice; remove the repeat.");

    public static Diagnostic ReplicateSeedOutOfRange(TextSpan span, long seed, long replicates) =>
        Error(span, ReplicateSeedOutOfRangeCode, $"With seed = {seed}, replicate {replicates} would run on seed {seed + replicates - 1}, beyond the largest seed {int.MaxValue}; lower the seed or the replicates.");

    public static Diagnostic UnknownDimension(TextSpan span, string dimension, IEnumerable<string> dimensions) =>
        Error(span, UnknownDimensionCode, $"'{dimension}' is not a dimension a win rate is measured on; write one of {string.Join(", ", dimensions)}{Suggestions.DidYouMean(dimension, dimensions)}.");

    public static Diagnostic DimensionNotJudged(TextSpan span, string judge, string dimension, IEnumerable<string> dimensions) =>
        Error(span, DimensionNotJudgedCode, $"The judge '{judge}' scores {string.Join(", ", dimensions)}, not {dimension}; name one of those dimensions or a judge that scores {dimension}.");

    public static Diagnostic ThresholdNeverHolds(TextSpan span, string expression) =>
        Error(span, ThresholdNeverHoldsCode, $"A win rate lies in [0, 1], so '{expression}' can never hold; compare with a number the rate can pass.");

    public static Diagnostic ComparesWithItself(TextSpan span, string metric) =>
        Error(span, ComparesWithItselfCode, $"The expectation compares {metric} with itself, so it can never hold; compare it with another metric or a number.");

    public static Diagnostic RuntimeLacksEvidence(TextSpan span, string member) =>
        Error(span, RuntimeLacksEvidenceCode, $"The runtime's ExperimentInfo has no property '{member}', so it cannot carry replicates and expectations; update the runtime, or remove them.");

    private static string Capitalised(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private static Diagnostic Error(TextSpan span, string code, string message) => new(span, DiagnosticLevel.Error, code, message);

    private static Diagnostic Warning(TextSpan span, string code, string message) => new(span, DiagnosticLevel.Warning, code, message);
}
