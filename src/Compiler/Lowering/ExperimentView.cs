namespace Pipeline.Compiler.Lowering;

// The typed view model the Scriban template renders. Every string that reaches C# is already a Roslyn-made literal,
// a validated identifier, a type name Roslyn displayed, or an expression built from those in ValueEmitter; the
// template contributes only the program's fixed structure. Lists are ordinally sorted.

// ClassName: A validated identifier derived from the experiment name.
// LinePath: The #line file name (the .pipe file's name, made safe), already quoted.
// Usings: The namespaces of the MLContext catalogs the stages call (extension methods need them in scope), as Roslyn
// displays them; every other name in the generated code is written in full.
public sealed record ExperimentView(
    string ClassName,
    string NameLiteral,
    string SourceShaLiteral,
    string CanonicalSourceLiteral,
    string CompilerVersionLiteral,
    string RuntimeVersionLiteral,
    string SeedLiteral,
    string DeviceLiteral,
    string LinePath,
    IReadOnlyList<MetadataView> Metadata,
    IReadOnlyList<StageView> Stages,
    EvidenceView? Evidence,
    IReadOnlyList<string> Usings);

// Set only when the experiment asks for replicates or declares expectations, so that other experiments' generated
// code (and their baselines) are as before. ReplicatesLiteral: an int literal.
public sealed record EvidenceView(string ReplicatesLiteral, IReadOnlyList<ExpectationView> Expectations);

// Every field is a C# expression built from Roslyn-made literals: a string literal, a constructor call of the
// Catalog's MetricReference over string literals, an enum member of Comparison, "null", or a double literal.
public sealed record ExpectationView(string ExpressionLiteral, string Left, string Comparison, string Right, string Threshold);

public sealed record MetadataView(string KeyLiteral, string ValueLiteral);

// MethodName: A generated identifier (<c>Stage3</c>), never user text.
// Line: The line of the stage's declaration in the .pipe file.
// Assignments: Every property of the kind the stage has (defaults included), in catalogue order.
// Estimator: For a kind that trains, the call of its MLContext catalog that makes the estimator from the options
// (<c>context.MLContextFor("dpo").Alignment().FlowDpo(options)</c>), which the stage is handed; null for a kind whose
// stage takes the options.
public sealed record StageView(
    string MethodName,
    string NameLiteral,
    string KindLiteral,
    string HashLiteral,
    IReadOnlyList<string> DependencyLiterals,
    string LocationLiteral,
    string OptionsType,
    string StageType,
    int Line,
    IReadOnlyList<AssignmentView> Assignments,
    string? Estimator,
    string? SamplingLiteral = null);

// Target: A property of the options, a catalogue name in PascalCase (<c>CfgDropout</c>).
// Line: The .pipe line the value was written on (the stage's line for a default), for #line.
public sealed record AssignmentView(int Line, string Target, string Expression);
