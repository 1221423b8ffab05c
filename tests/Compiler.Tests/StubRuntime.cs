using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Pipeline.Compiler.Tests;

/// <summary>
/// A tiny Pipeline.Runtime.dll built in the test: the experiment interfaces, a synthetic_videos options class that
/// lacks <c>frames</c>, and no flow_generator at all. Emit diagnostics about a runtime that lags the catalogue are
/// tested against it, so the tests keep failing for the right reason once the real runtime implements every kind; a
/// test may edit the source first (<see cref="Build"/>), e.g. to add a flow_generator (<see cref="FlowGenerator"/>).
/// </summary>
internal static class StubRuntime
{
    private const string Source = """
        namespace Pipeline.Runtime.Execution
        {
            public interface IExperiment { ExperimentInfo Info { get; } Pipeline.Runtime.Kinds.StageOutput RunStage(string name, RunContext context); RunResult Run(RunContext context); }
            [System.AttributeUsage(System.AttributeTargets.Assembly)]
            public sealed class ExperimentClassAttribute : System.Attribute { public ExperimentClassAttribute(System.Type type) { } }
            public sealed record StageInfo(string Name, string Kind, string Hash, System.Collections.Generic.IReadOnlyList<string> Dependencies, string Location);
            public sealed record ExperimentInfo(string Name, string SourceSha256, string CanonicalSource, string CompilerVersion, string RuntimeVersion, int Seed, string Device, System.Collections.Generic.IReadOnlyList<StageInfo> Stages);
            public sealed record RunResult(ExperimentInfo Info);
            public sealed class RunContext
            {
                public T Input<T>(string stage) where T : class => throw null!;
            }
            public static class ExperimentRunner { public static RunResult RunAll(IExperiment experiment, RunContext context) => throw null!; }
        }
        namespace Pipeline.Runtime.Kinds
        {
            public sealed class StageOutput { }
        }
        namespace Pipeline.Runtime.Core
        {
            public sealed class VideoSet { }
            public interface IVideoGenerator { }
        }
        namespace Pipeline.Runtime.Kinds.SyntheticVideos
        {
            public sealed class World { public Pipeline.Runtime.Core.VideoSet Videos => throw null!; }
            public sealed class SyntheticVideosOptions
            {
                public int Prompts { get; set; }
                public int EvalPrompts { get; set; }
                public System.Collections.Generic.IReadOnlyList<int> Resolution { get; set; } = new int[0];
                public int Generators { get; set; }
                public int Samples { get; set; }
                public double AnnotatorNoise { get; set; }
                public double TieThreshold { get; set; }
            }
            public static class SyntheticVideosStage { public static Pipeline.Runtime.Kinds.StageOutput Run(Pipeline.Runtime.Execution.RunContext context, string name, SyntheticVideosOptions options) => throw null!; }
        }
        // more kinds
        """;

    /// <summary>A flow_generator kind for <see cref="Build"/>'s edits: replaces <c>// more kinds</c>.</summary>
    public const string FlowGenerator = """
        namespace Pipeline.Runtime.Torch.Models { public sealed class VideoAutoencoder { } }
        namespace Pipeline.Runtime.Kinds.FlowGenerator
        {
            public enum FlowTimesteps { Uniform, LogitNormal }
            public sealed class FlowGeneratorOptions
            {
                public Pipeline.Runtime.Torch.Models.VideoAutoencoder? Autoencoder { get; set; }
                public PretrainOptions Pretrain { get; set; } = null!;
                public int Width { get; set; }
                public FlowTimesteps Timesteps { get; set; }
                public double CfgDropout { get; set; }
                public double CfgScale { get; set; }
                public int SamplingSteps { get; set; }
                public sealed class PretrainOptions { public Pipeline.Runtime.Core.VideoSet Data { get; set; } = null!; public int Steps { get; set; } public double Lr { get; set; } public int Batch { get; set; } }
            }
            public static class FlowGeneratorStage { public static Pipeline.Runtime.Kinds.StageOutput Run(Pipeline.Runtime.Execution.RunContext context, string name, FlowGeneratorOptions options) => throw null!; }
        }
        """;

    /// <summary>
    /// Builds the stub, with each (old, new) edit applied to its source, into <paramref name="folder"/> and returns
    /// references: the framework, the real Catalog, the stub runtime.
    /// </summary>
    public static ImmutableArray<string> Build(string folder, params (string Old, string New)[] edits)
    {
        var source = Source;
        foreach (var (old, replacement) in edits)
        {
            Assert.Contains(old, source, StringComparison.Ordinal);
            source = source.Replace(old, replacement, StringComparison.Ordinal);
        }

        var framework = TestEnvironment.References.Where(p => !Path.GetFileName(p).StartsWith("Pipeline.", StringComparison.Ordinal)).ToList();
        var compilation = CSharpCompilation.Create(
            "Pipeline.Runtime",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            framework.Select(p => MetadataReference.CreateFromFile(p)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var path = Path.Combine(folder, "Pipeline.Runtime.dll");
        var result = compilation.Emit(path);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var catalog = TestEnvironment.References.Single(p => Path.GetFileName(p) == "Pipeline.Catalog.dll");
        return [.. framework, catalog, path];
    }
}
