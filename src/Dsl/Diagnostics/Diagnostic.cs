using Pipeline.Dsl.Text;

namespace Pipeline.Dsl.Diagnostics;

public enum DiagnosticLevel
{
    Info,
    Warning,
    Error,
}

/// <summary>
/// One finding about an experiment: where (a span in <see cref="Path"/>), how bad, a stable code and a one-sentence
/// message that says how to fix it. Built only through a layer's diagnostics catalogue (for syntax,
/// <c>DiagnosticBuilder</c>), never by hand.
/// </summary>
public sealed record Diagnostic(TextSpan Span, DiagnosticLevel Level, string Code, string Message)
{
    /// <summary>The file the span points into; null for diagnostics about the command line.</summary>
    public string? Path { get; init; }

    public bool IsError => Level == DiagnosticLevel.Error;
}
