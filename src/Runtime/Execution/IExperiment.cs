using Pipeline.Runtime.Kinds;

namespace Pipeline.Runtime.Execution;

/// <summary>
/// What a compiled experiment assembly exposes (contracts.md): one public class per experiment implements it, and
/// <see cref="ExperimentClassAttribute"/> on the assembly names that class.
/// </summary>
public interface IExperiment
{
    /// <summary>Name, source hash, canonical source, versions and the stages with their hashes and dependencies.</summary>
    ExperimentInfo Info { get; }

    /// <summary>Runs one stage, with its inputs taken from the context.</summary>
    StageOutput RunStage(string name, RunContext context);

    /// <summary>Runs every stage in dependency order.</summary>
    RunResult Run(RunContext context);
}

/// <summary>Names the <see cref="IExperiment"/> class of a compiled experiment assembly, so tools need not scan types.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class ExperimentClassAttribute(Type experimentType) : Attribute
{
    public Type ExperimentType { get; } = experimentType;
}

/// <summary>The outputs of a whole run, by stage name.</summary>
public sealed record RunResult(ExperimentInfo Info, IReadOnlyDictionary<string, StageOutput> Stages);
