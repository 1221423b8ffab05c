namespace Pipeline.Runtime.Core;

/// <summary>
/// Every PIPE4xxx code the Runtime raises, in one place so that a test can check they are unique across layers.
/// Ranges: 40xx backend and run, 41xx data, 42xx models and training, 43xx cache and checkpoints, 44xx cluster
/// submission (raised by the CLI's <c>pipeline submit</c> and <c>status</c>, listed here so the uniqueness test sees them).
/// Codes are never reused; a retired code stays listed.
/// </summary>
public static class RuntimeDiagnosticCodes
{
    public const string LibtorchNotLoadable = "PIPE4001";
    public const string DeviceUnavailable = "PIPE4002";
    public const string ExperimentAssemblyInvalid = "PIPE4003";
    public const string UnknownStage = "PIPE4004";
    public const string StageInputMissing = "PIPE4005";
    public const string OutputPathInvalid = "PIPE4006";
    public const string KindNotImplemented = "PIPE4007";
    public const string InvalidStageOptions = "PIPE4008";

    /// <summary>A warning: an optional tool (ffmpeg, for the report's sample GIFs) is missing or failed; the run finishes without what it makes.</summary>
    public const string OptionalToolMissing = "PIPE4009";
    public const string TrainingDiverged = "PIPE4201";

    /// <summary><c>pipeline compare</c> named a run id the registry does not have.</summary>
    public const string UnknownRun = "PIPE4301";

    /// <summary>A file could not be written (the disk is full, or the folder is not writable); the message names the path.</summary>
    public const string WriteFailed = "PIPE4302";

    /// <summary>A compiled experiment (.dll) is run, but a data file it reads changed since it was compiled.</summary>
    public const string DataFileChanged = "PIPE4303";

    /// <summary>The run registry cannot be opened: not a database, or the cache folder is a file.</summary>
    public const string RegistryUnreadable = "PIPE4304";

    /// <summary><c>pipeline submit</c>: a scheduler option is malformed or contradicts the experiment (GPUs for a cpu experiment).</summary>
    public const string SubmitOptionInvalid = "PIPE4401";

    /// <summary><c>pipeline submit</c>/<c>status</c>: the Slurm commands (sbatch, scontrol) are missing or cannot reach the controller.</summary>
    public const string SlurmUnavailable = "PIPE4402";

    /// <summary><c>pipeline submit</c>: sbatch refused a job; the jobs submitted before it are cancelled.</summary>
    public const string SlurmSubmitFailed = "PIPE4403";

    /// <summary><c>pipeline submit</c>: --shared-dir is missing, or cannot be created or written.</summary>
    public const string SharedDirInvalid = "PIPE4404";

    public static IReadOnlyList<string> All { get; } = typeof(RuntimeDiagnosticCodes)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();
}
