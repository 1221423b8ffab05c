namespace Pipeline.Runtime.Core;

/// <summary>
/// Every PIPE4xxx code the Runtime raises, in one place so that a test can check they are unique across layers.
/// Ranges: 40xx backend and run, 41xx data, 42xx models and training, 43xx cache and checkpoints, 44xx cluster
/// submission (raised by the CLI's <c>pipeline submit</c> and <c>status</c>, listed here so the uniqueness test sees them),
/// 45xx the command line and the integrity of what the caches serve (mostly raised by the CLI, listed here likewise),
/// 4601–4649 model files (safetensors) and the commands that read them (<c>inspect</c>, <c>score</c>).
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

    /// <summary>A warning: other work started beside a run whose OpenMP waiters spin (chosen at its start on a quiet machine); both slow down.</summary>
    public const string SharedCpuSpinning = "PIPE4010";
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

    /// <summary>The command line is malformed: an unknown option, a missing or malformed value, options that exclude each other (exit code 2).</summary>
    public const string CommandLineInvalid = "PIPE4501";

    /// <summary>A bug: an exception no check anticipated. One line and exit code 70; <c>PIPELINE_TRACE=1</c> prints the stack trace.</summary>
    public const string InternalError = "PIPE4502";

    /// <summary><c>--out</c> or <c>-o</c> names a folder inside the cache, whose folders <c>pipeline cache gc</c> may remove.</summary>
    public const string OutputInsideCache = "PIPE4503";

    /// <summary>A compiled experiment is not what the compiler makes of the source it embeds (its source hash or a stage's hash, kind or inputs differ).</summary>
    public const string ExperimentIdentityMismatch = "PIPE4504";

    /// <summary>A cached native library did not match its checksum (truncated, changed): it was not loaded, and was written again.</summary>
    public const string NativeLibraryDamaged = "PIPE4505";

    /// <summary>The file system refused an operation the command needs (permission denied, a name too long, a file where a folder should be).</summary>
    public const string FileSystemError = "PIPE4506";

    /// <summary>A .safetensors file is not one: truncated, a header that is not JSON or overruns the file, a tensor whose dtype, shape or offsets do not fit its bytes.</summary>
    public const string ModelFileMalformed = "PIPE4601";

    /// <summary>A model file's tensors do not fit the network its metadata describes: one is missing, unexpected, or of another shape or dtype.</summary>
    public const string ModelTensorMismatch = "PIPE4602";

    /// <summary>A model file's metadata is missing a key the runtime needs, or a value is malformed (not a Pipeline model file, or another format version).</summary>
    public const string ModelMetadataInvalid = "PIPE4603";

    /// <summary>A model file holds another kind of model than the command needs (a flow generator given to <c>pipeline score</c>).</summary>
    public const string ModelKindMismatch = "PIPE4604";

    /// <summary>A model file named on the command line does not exist, or is a folder.</summary>
    public const string ModelFileNotFound = "PIPE4605";

    /// <summary><c>pipeline score</c>: the videos to score are neither a pair CSV nor a folder with video files.</summary>
    public const string ScoreInputInvalid = "PIPE4606";

    /// <summary>A warning of <c>pipeline score</c>: a folder's videos are scored against an empty prompt by a model that reads the prompt (TA); give --prompt.</summary>
    public const string ScoreWithoutPrompt = "PIPE4607";

    /// <summary>A warning of <c>pipeline score</c>: the model file has no normalisation statistics, so the scores are raw and reward_Overall is left out.</summary>
    public const string ScoreWithoutNormalization = "PIPE4608";

    /// <summary><c>pipeline score --model RUN</c>: the run (an id or a run's folder) has no such model: no reward stage, not that stage, or no exported file of it.</summary>
    public const string RunModelMissing = "PIPE4609";

    /// <summary><c>pipeline score --model RUN</c>: the run has several VideoReward-mini models; <c>--stage</c> picks one.</summary>
    public const string RunModelAmbiguous = "PIPE4610";

    /// <summary><c>pipeline score --model RUN</c>: the run's model file is another stage's (a later run wrote into the same folder).</summary>
    public const string RunModelReplaced = "PIPE4611";

    /// <summary><c>init = file(...)</c>: a tensor of the stage's network is missing from the given weights, is there with another shape or dtype, or the file holds one the network lacks.</summary>
    public const string GivenWeightsMismatch = "PIPE4612";

    /// <summary><c>init = file(...)</c>: the file's metadata disagrees with the stage (another kind of model, other dimensions, clean latents for a noise-aware reward).</summary>
    public const string GivenWeightsDisagree = "PIPE4613";

    /// <summary><c>init = file(...)</c>: the file went since compiling, or a .pt/.pth file is not a PyTorch state dict.</summary>
    public const string GivenWeightsUnreadable = "PIPE4614";

    /// <summary>A warning: a generator's given weights were trained with another autoencoder than the one the stage is given.</summary>
    public const string GivenWeightsOtherAutoencoder = "PIPE4615";
    /// <summary><c>pipeline run --expect</c>: a declared expectation did not hold (its whole 95 % interval lies on the other side); the run's results are written.</summary>
    public const string ExpectationNotHeld = "PIPE4800";

    /// <summary><c>pipeline run --expect</c>: a declared expectation reads a win rate the run did not measure (a <c>--stage</c> run), so it could not be decided.</summary>
    public const string ExpectationNotMeasured = "PIPE4801";

    /// <summary>The hidden <c>pipeline replicates</c> (a submitted replicate set's last job): a seed's results.json is not the JSON a run writes.</summary>
    public const string ReplicateResultsUnreadable = "PIPE4802";

    public static IReadOnlyList<string> All { get; } = typeof(RuntimeDiagnosticCodes)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();
}
