namespace Pipeline.Runtime.Execution;

/// <summary>One stage of a compiled experiment.</summary>
/// <param name="Name">The stage name; inline stages get a derived name such as <c>nrg.reward</c>.</param>
/// <param name="Kind">The stage kind, e.g. <c>flow_dpo</c>.</param>
/// <param name="Hash">The stage hash (contracts.md): kind, resolved properties, upstream hashes, seed, data files, runtime version.</param>
/// <param name="Dependencies">Names of the stages it reads.</param>
/// <param name="Location">"path:line:col" of its declaration, for messages.</param>
public sealed record StageInfo(string Name, string Kind, string Hash, IReadOnlyList<string> Dependencies, string Location)
{
    /// <summary>
    /// For a trained generator (a flow_generator or an aligner of one): the sampling settings it samples with. They are
    /// not in its hash, so a cached generator trained under other ones gets these when it is loaded; null otherwise.
    /// </summary>
    public GeneratorSampling? Sampling { get; init; }
}

/// <summary>A generator's sampling settings: Euler steps and classifier-free guidance scale.</summary>
public sealed record GeneratorSampling(int Steps, double CfgScale);

/// <summary>Everything an experiment assembly says about itself; <c>pipeline inspect</c> prints it.</summary>
public sealed record ExperimentInfo(
    string Name,
    string SourceSha256,
    string CanonicalSource,
    string CompilerVersion,
    string RuntimeVersion,
    int Seed,
    string Device,
    IReadOnlyList<StageInfo> Stages)
{
    /// <summary>Runs of the whole experiment, one per seed: Seed, Seed + 1, ... (<c>replicates = N</c>; 1 when not written).</summary>
    public int Replicates { get; init; } = 1;

    /// <summary>The declared expectations, checked by the compiler, by canonical text; decided by <see cref="Pipeline.Catalog.Expectations.ExpectationEvaluator"/>.</summary>
    public IReadOnlyList<Pipeline.Catalog.Expectations.Expectation> Expectations { get; init; } = [];

    public StageInfo? FindStage(string name) => Stages.FirstOrDefault(s => s.Name == name);
}
