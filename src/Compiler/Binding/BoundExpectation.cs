using Pipeline.Catalog.Expectations;
using Pipeline.Dsl.Text;

namespace Pipeline.Compiler.Binding;

/// <summary>An expectation after its checks: the runtime's description of it, and where it was written.</summary>
/// <param name="Expectation">What the assembly carries (<c>ExperimentInfo.Expectations</c>); its expression is the canonical text.</param>
/// <param name="Span">The whole <c>expect ...</c> member.</param>
/// <param name="SourcePath">The file it was written in.</param>
public sealed record BoundExpectation(Expectation Expectation, TextSpan Span, string SourcePath);
