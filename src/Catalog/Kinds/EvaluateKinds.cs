using Pipeline.Catalog.Checks;
using static Pipeline.Catalog.Types;

namespace Pipeline.Catalog.Kinds;

internal static class EvaluateKinds
{
    public static readonly StageKind WinRates = new(
        "win_rates",
        StageRole.Evaluate,
        ArtifactType.Report,
        "Win rates of methods against a baseline on the same prompts and seeds, per dimension and Overall, with 95 % intervals.",
        new[]
        {
            PropertyDefinition.Require("prompts", new ReferenceType(ArtifactType.Prompts), "Evaluation prompts, e.g. world.eval_prompts."),
            PropertyDefinition.Require("methods", new ReferenceListType(new[] { ArtifactType.Generator }), "The generators compared."),
            PropertyDefinition.Require("baseline", new ReferenceType(ArtifactType.Generator), "The generator every method is compared against."),
            PropertyDefinition.Require("judges", new ReferenceListType(new[] { ArtifactType.RewardModel, ArtifactType.Judge }), "Reward stages and/or world.oracle."),
            P("seeds", Count(1, 100_000), 8L, "Sampling seeds per prompt; n = prompts × seeds."),
            P("gifs", Count(0, 64), 4L, "Sample videos per method written as GIFs into the report."),
        })
    {
        Checks = [new EnoughSamples("prompts", "seeds", 256)],
    };
}
