namespace Pipeline.Catalog.Checks;

/// <summary>
/// A check the compiler makes on a stage of a kind, or on a member call (<c>relabel</c>), beyond the types of its
/// values. The catalogue declares which checks a kind has and on which of its properties; the compiler interprets
/// each kind of check, so a new stage kind declares its checks with its catalogue entry and changes no compiler code.
/// Property names are the kind's own (or, on a member, the call's parameters).
/// </summary>
public abstract record StageCheck
{
    /// <summary>One line for docs/kinds.md and <c>pipeline kinds KIND</c>.</summary>
    public abstract string Describe();
}

/// <summary>The fields of the record <paramref name="Property"/> (fractions) sum to 1: <c>split = { train: 0.8, eval: 0.2 }</c>.</summary>
public sealed record SumsToOne(string Property) : StageCheck
{
    public override string Describe() => $"the fields of {Property} sum to 1";
}

/// <summary>
/// A data file in <paramref name="Property"/> exists, is readable and has the pair-file columns
/// (<see cref="PairFileColumns"/>) for the dimensions in <paramref name="Dimensions"/>; its content hash enters the stage hash.
/// </summary>
public sealed record PairFileColumnsPresent(string Property, string Dimensions) : StageCheck
{
    public override string Describe() => $"a file in {Property} exists and has the columns of the {Dimensions}";
}

/// <summary>The latent [C, T, H, W] in <paramref name="Latent"/> fits the frames and resolution of the videos in <paramref name="Videos"/>.</summary>
public sealed record LatentFitsVideos(string Latent, string Videos) : StageCheck
{
    public override string Describe() => $"{Latent} fits the frames and resolution of {Videos}";
}

/// <summary>When <paramref name="Property"/> is the case <paramref name="Case"/>, the pairs in <paramref name="Pairs"/> keep their ties.</summary>
public sealed record TiesKeptFor(string Property, string Case, string Pairs) : StageCheck
{
    public override string Describe() => $"the pairs in {Pairs} keep their ties when {Property} = {Case}";
}

/// <summary>The dimensions in <paramref name="Property"/> (a list's items or a map's keys) are among those of the input in <paramref name="Input"/>.</summary>
public sealed record DimensionsWithin(string Property, string Input) : StageCheck
{
    public override string Describe() => $"the dimensions of {Property} are among those of {Input}";
}

/// <summary>
/// The latent reward in <paramref name="Reward"/> is noise-aware: a clean one is an error, or a warning when the
/// boolean <paramref name="Ablation"/> is true (the paper's ablation).
/// </summary>
public sealed record NoiseAwareReward(string Reward, string Ablation) : StageCheck
{
    public override string Describe() => $"the latent reward in {Reward} is noise-aware, unless {Ablation} = true (a warning then)";
}

/// <summary>The count of the prompts in <paramref name="Prompts"/> times <paramref name="Seeds"/> is at least <paramref name="Minimum"/> (a warning).</summary>
public sealed record EnoughSamples(string Prompts, string Seeds, long Minimum) : StageCheck
{
    public override string Describe() => $"the prompts in {Prompts} × {Seeds} are at least {Minimum} samples (a warning)";
}

/// <summary>A stage of the kind that no other stage reads is a warning: a forgotten reference, or dead weight.</summary>
/// <summary>
/// Given weights in <paramref name="Init"/> (<c>init = file("...")</c>) exist, relative to the experiment file, and are a
/// model file or a PyTorch state dict by their extension; their content hash enters the stage hash. The step count
/// <paramref name="Steps"/> (a property, or a record's field as <c>pretrain.steps</c>) may be 0 only with given weights.
/// </summary>
public sealed record GivenWeightsReadable(string Init, string Steps) : StageCheck
{
    public override string Describe() => $"a file in {Init} exists and is a model file or a state dict; {Steps} = 0 needs it";
}

public sealed record ReadByAnotherStage : StageCheck
{
    public override string Describe() => "another stage reads it (a warning)";
}
