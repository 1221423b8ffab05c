namespace Pipeline.Runtime.Core;

/// <summary>
/// The runtime's error catalogue (as the compiler's CompilerDiagnostics): one method per error that a user's
/// experiment, data or machine can cause, each with its stable code from <see cref="RuntimeDiagnosticCodes"/> and a
/// message that says what to do. Bugs stay exceptions of .NET's own types; the data layer's file errors carry their
/// codes from <see cref="DataDiagnosticCodes"/> with the file and line in the message.
/// </summary>
public static class RuntimeErrors
{
    /// <summary>A stage's options cannot be used as given; the message says which and why.</summary>
    public static PipelineException InvalidOption(string? stage, string message) =>
        new(RuntimeDiagnosticCodes.InvalidStageOptions, message) { Stage = stage };

    /// <summary>A stage's options were refused by the code that uses them (an <see cref="ArgumentException"/> saying why).</summary>
    public static PipelineException InvalidOption(string stage, ArgumentException error) => InvalidOption(stage, error.Message);

    /// <summary>A stage needs an upstream output that has not run in this process and is not cached.</summary>
    public static PipelineException StageInputMissing(string stage) =>
        new(RuntimeDiagnosticCodes.StageInputMissing, $"stage '{stage}' has not run in this process and is not cached; run the whole experiment, or the stage '{stage}' first.") { Stage = stage };

    /// <summary>
    /// A stage run alone (<c>--stage</c>) needs an input whose kind is stored in the stage cache, but it is not there
    /// (<paramref name="why"/>: not cached, or its entry is corrupt or stale).
    /// </summary>
    public static PipelineException CachedInputMissing(string stage, string dependency, string why) =>
        new(RuntimeDiagnosticCodes.StageInputMissing, $"stage '{stage}' needs the output of stage '{dependency}', but {why}; run stage '{dependency}' first (pipeline run FILE --stage {dependency}), or run the whole experiment") { Stage = stage };

    /// <summary>The experiment asks for a CUDA device this libtorch does not see.</summary>
    public static PipelineException DeviceUnavailable(string device, int cudaCount) =>
        new(RuntimeDiagnosticCodes.DeviceUnavailable, cudaCount == 0
            ? $"device '{device}' was asked for, but this libtorch sees no CUDA device; use device = auto or cpu, or point --libtorch at a CUDA build of libtorch."
            : $"device '{device}' was asked for, but only {cudaCount} CUDA device(s) exist; use cuda:0 to cuda:{cudaCount - 1}.");

    /// <summary>The experiment names a device the runtime does not know.</summary>
    public static PipelineException UnknownDevice(string device) =>
        new(RuntimeDiagnosticCodes.DeviceUnavailable, $"unknown device '{device}'; use auto, cpu, cuda or cuda:N.");

    /// <summary>The training loss stopped being a finite number.</summary>
    public static PipelineException TrainingDiverged(string stage, float loss, int step) =>
        new(RuntimeDiagnosticCodes.TrainingDiverged, $"the training loss became {loss} at step {step}; lower the learning rate (lr) of stage '{stage}'.") { Stage = stage };

    /// <summary>The run folder (<c>--out</c>) cannot be created; <paramref name="reason"/> says why.</summary>
    public static PipelineException RunFolderInvalid(string folder, string reason) =>
        new(RuntimeDiagnosticCodes.OutputPathInvalid, $"cannot create the run folder '{folder}' ({reason}); choose another --out.");

    /// <summary>A file could not be written; <paramref name="reason"/> is the disk's or the system's word for why.</summary>
    public static PipelineException WriteFailed(string path, string reason, string? what, Exception inner) =>
        new(RuntimeDiagnosticCodes.WriteFailed, $"cannot write {what ?? "file"} {path}: {reason}; free space there (or set PIPELINE_CACHE / --out elsewhere) and run again.", inner);

    /// <summary>A warning: ffmpeg is missing or failed, so report.md has no sample GIFs (<paramref name="problem"/> says why).</summary>
    public static PipelineException SampleGifsMissing(string problem) =>
        new(RuntimeDiagnosticCodes.OptionalToolMissing, $"report.md has no sample GIFs: {problem}; install ffmpeg (Debian: apt-get install ffmpeg) and run again to add them (the stages are cached, so only the report is rewritten).");

    /// <summary>The same error, raised on behalf of <paramref name="stage"/> (a data error met while the stage loads its pairs).</summary>
    public static PipelineException InStage(PipelineException error, string stage) => new(error.Code, error.Message, error) { Stage = stage };
}
