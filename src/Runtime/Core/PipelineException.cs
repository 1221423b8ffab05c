namespace Pipeline.Runtime.Core;

/// <summary>
/// A runtime error caused by the user's input or environment (not a bug): it carries a stable PIPE4xxx code, a
/// message that says what to do, and where known the stage and the span of its declaration. The CLI prints it as
/// one line without a stack trace.
/// </summary>
public sealed class PipelineException : Exception
{
    public PipelineException(string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    public string Code { get; }

    /// <summary>The stage that raised it, when there is one.</summary>
    public string? Stage { get; init; }

    /// <summary>"path:line:col" of the stage's declaration in the experiment file, when known.</summary>
    public string? Location { get; init; }
}
