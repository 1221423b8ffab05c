using System.Globalization;
using System.Text.Json;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Torch.Safetensors;

/// <summary>
/// The <c>__metadata__</c> of a Pipeline model file: every value is a string (the format allows nothing else), lists
/// and shapes are JSON arrays, numbers are written so that they read back exactly. The keys are the constants below
/// (docs/contracts.md, "Model files"). Reading a key that is missing or malformed is a
/// <see cref="RuntimeDiagnosticCodes.ModelMetadataInvalid"/> error that names the file and the key.
/// </summary>
public sealed class ModelMetadata
{
    /// <summary>The value of <see cref="Format"/> this runtime writes and reads.</summary>
    public const string CurrentFormat = "pipeline-model/1";

    /// <summary>Hugging Face's key for the framework the tensors are laid out for; always <c>pt</c> (PyTorch).</summary>
    public const string Framework = "format";

    /// <summary>The layout version of the tensors and keys: <see cref="CurrentFormat"/>.</summary>
    public const string Format = "pipeline.format";

    /// <summary>Which network the file holds (<see cref="ModelKinds"/>).</summary>
    public const string Model = "pipeline.model";

    // Provenance: where the weights come from (absent in a file written outside a run, for example by PyTorch).
    public const string Experiment = "pipeline.experiment";
    public const string SourceSha256 = "pipeline.source_sha256";
    public const string Stage = "pipeline.stage";
    public const string StageHash = "pipeline.stage_hash";
    public const string StageKind = "pipeline.stage_kind";
    public const string RuntimeBuild = "pipeline.runtime_build";

    /// <summary>The experiment of the run that exported the file, when it reused weights trained by another source.</summary>
    public const string ExportExperiment = "pipeline.export.experiment";

    /// <summary>The source SHA-256 of the run that exported the file (<see cref="SourceSha256"/> stays the training source's).</summary>
    public const string ExportSourceSha256 = "pipeline.export.source_sha256";

    // Hyperparameters and what a network's inputs and outputs mean.
    public const string Dimensions = "pipeline.dimensions";
    public const string VideoShape = "pipeline.video_shape";
    public const string VideoFps = "pipeline.video_fps";
    public const string LatentShape = "pipeline.latent_shape";
    public const string Width = "pipeline.width";
    public const string AutoencoderWidth = "pipeline.autoencoder_width";
    public const string Network = "pipeline.network";
    public const string LatentMean = "pipeline.latent_mean";
    public const string LatentDeviation = "pipeline.latent_deviation";
    public const string SamplingSteps = "pipeline.sampling_steps";
    public const string CfgScale = "pipeline.cfg_scale";
    public const string Tokens = "pipeline.tokens";
    public const string Tokenizer = "pipeline.tokenizer";
    public const string MaxTokens = "pipeline.max_tokens";
    public const string Vocabulary = "pipeline.vocabulary";
    public const string Loss = "pipeline.loss";
    public const string Ties = "pipeline.ties";
    public const string TieTheta = "pipeline.tie_theta";
    public const string ScoreMean = "pipeline.score_mean";
    public const string ScoreDeviation = "pipeline.score_deviation";
    public const string NoiseAware = "pipeline.noise_aware";
    public const string Rank = "pipeline.rank";
    public const string Alpha = "pipeline.alpha";
    public const string TargetModules = "pipeline.target_modules";

    private readonly Dictionary<string, string> values;

    public ModelMetadata(string path, IReadOnlyDictionary<string, string> values)
    {
        Path = path;
        this.values = new Dictionary<string, string>(values, StringComparer.Ordinal);
    }

    /// <summary>The file the metadata belongs to, for messages.</summary>
    public string Path { get; }

    /// <summary>Every key and value.</summary>
    public IReadOnlyDictionary<string, string> Values => values;

    /// <summary>A new map for <paramref name="model"/> with the format keys and, when given, the provenance.</summary>
    public static ModelMetadata For(string model, ModelProvenance? provenance)
    {
        var metadata = new ModelMetadata(string.Empty, new Dictionary<string, string>())
        {
            [Framework] = "pt",
            [Format] = CurrentFormat,
            [Model] = model,
        };
        if (provenance is not null)
        {
            metadata.Provenance = provenance;
        }

        return metadata;
    }

    /// <summary>
    /// The provenance the file records, or null when it records none (written outside a run, for example by PyTorch);
    /// setting it writes every provenance key, the export keys only when present.
    /// </summary>
    public ModelProvenance? Provenance
    {
        get => !Has(StageHash)
            ? null
            : new ModelProvenance(this[Experiment], this[SourceSha256], this[Stage], this[StageHash], this[StageKind])
            {
                RuntimeBuild = this[RuntimeBuild],
                ExportExperiment = Optional(ExportExperiment),
                ExportSourceSha256 = Optional(ExportSourceSha256),
            };
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            values[Experiment] = value.Experiment;
            values[SourceSha256] = value.SourceSha256;
            values[Stage] = value.Stage;
            values[StageHash] = value.StageHash;
            values[StageKind] = value.StageKind;
            values[RuntimeBuild] = value.RuntimeBuild;
            values.Remove(ExportExperiment);
            values.Remove(ExportSourceSha256);
            if (value.ExportExperiment is not null && value.ExportSourceSha256 is not null)
            {
                values[ExportExperiment] = value.ExportExperiment;
                values[ExportSourceSha256] = value.ExportSourceSha256;
            }
        }
    }

    public string this[string key]
    {
        get => values.TryGetValue(key, out var value) ? value : throw Invalid(key, "is missing");
        set => values[key] = value;
    }

    public bool Has(string key) => values.ContainsKey(key);

    public string? Optional(string key) => values.TryGetValue(key, out var value) ? value : null;

    public void Set(string key, int value) => values[key] = value.ToString(CultureInfo.InvariantCulture);

    public void Set(string key, double value) => values[key] = value.ToString("R", CultureInfo.InvariantCulture);

    public void Set(string key, bool value) => values[key] = value ? "true" : "false";

    /// <summary>A list (strings, shapes, numbers) as a JSON array.</summary>
    public void SetList<T>(string key, IEnumerable<T> items) => values[key] = JsonSerializer.Serialize(items.ToArray());

    public int Int(string key) =>
        int.TryParse(this[key], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(key, $"is '{this[key]}', not an integer");

    public double Double(string key) =>
        double.TryParse(this[key], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Invalid(key, $"is '{this[key]}', not a finite number");

    public bool Bool(string key) => this[key] switch
    {
        "true" => true,
        "false" => false,
        var other => throw Invalid(key, $"is '{other}', not true or false"),
    };

    public T[] List<T>(string key)
    {
        try
        {
            return JsonSerializer.Deserialize<T[]>(this[key]) ?? throw Invalid(key, "is null, not a list");
        }
        catch (JsonException)
        {
            throw Invalid(key, $"is '{this[key]}', not a JSON list of {typeof(T).Name}");
        }
    }

    /// <summary>A list of positive integers of the given length (a shape).</summary>
    public int[] Shape(string key, int length)
    {
        var shape = List<int>(key);
        return shape.Length == length && shape.All(s => s > 0)
            ? shape
            : throw Invalid(key, $"is '{this[key]}', not {length} positive integers");
    }

    /// <summary>Fails unless the file is a Pipeline model file of this format holding <paramref name="model"/>.</summary>
    public void Require(string model)
    {
        if (!Has(Model))
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ModelMetadataInvalid,
                $"{Path}: the file has no '{Model}' in its metadata, so it is not a Pipeline model file; export one from a run, or write it with python/pipeline_models.py.");
        }

        if (this[Format] != CurrentFormat)
        {
            throw Invalid(Format, $"is '{this[Format]}'; this runtime reads '{CurrentFormat}'");
        }

        if (this[Model] != model)
        {
            throw new PipelineException(RuntimeDiagnosticCodes.ModelKindMismatch, $"{Path}: the file holds the model kind '{this[Model]}', not '{model}'.");
        }
    }

    public PipelineException Invalid(string key, string what) =>
        new(RuntimeDiagnosticCodes.ModelMetadataInvalid, $"{Path}: metadata '{key}' {what}.");
}

/// <summary>The networks a Pipeline model file can hold: the values of <see cref="ModelMetadata.Model"/>.</summary>
public static class ModelKinds
{
    public const string Autoencoder = "autoencoder";
    public const string FlowGenerator = "flow_generator";
    public const string LoraAdapter = "lora_adapter";
    public const string VideoReward = "video_reward";
    public const string LatentReward = "latent_reward";
}
