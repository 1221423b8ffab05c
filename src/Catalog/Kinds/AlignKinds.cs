using Pipeline.Catalog.Checks;
using static Pipeline.Catalog.Types;

namespace Pipeline.Catalog.Kinds;

internal static class AlignKinds
{
    private static PropertyDefinition Policy => PropertyDefinition.Require("policy", new ReferenceType(ArtifactType.Generator), "The generator to fine-tune.");

    private static PropertyDefinition[] Budget(long steps) => new[]
    {
        P("steps", Count(1, 1_000_000), steps, "Training steps."),
        P("batch", Count(1, 4096), 16L, "Samples (SFT, RWR) or pairs (DPO) per step."),
        P("lr", LearningRate, 1e-4, "Adam learning rate."),
        P("cfg_dropout", new RealType(0, 1, MaxExclusive: true), 0.0, "Probability that a training sample's prompt is replaced by the null prompt, so that the unconditional velocity of classifier-free guidance is aligned too (0: prompts always given)."),
        Lora,
    };

    public static readonly StageKind FlowSft = new(
        "flow_sft",
        StageRole.Align,
        ArtifactType.Generator,
        "Supervised fine-tuning: flow matching on the preferred videos only.",
        new[] { Policy, PropertyDefinition.Require("data", new ReferenceType(ArtifactType.Videos), "The winners, e.g. prefs.train.winners.") }.Concat(Budget(300)).ToArray());

    public static readonly StageKind FlowRwr = new(
        "flow_rwr",
        StageRole.Align,
        ArtifactType.Generator,
        "Flow-RWR: policy samples scored by a reward (r = mean z-score of the dimensions), then flow matching weighted by softmax(r / temperature) within each batch.",
        new[]
        {
            Policy,
            PropertyDefinition.Require("reward", new ReferenceType(ArtifactType.RewardModel), "The reward stage that scores the samples."),
            PropertyDefinition.Require("prompts", new ReferenceType(ArtifactType.Prompts), "The prompts the policy samples are drawn for, in turn, e.g. world.prompts."),
            P("dimensions", Dimensions, AllDimensions, "The reward is the mean of these dimensions."),
            P("samples", Count(1, 1_000_000), 512L, "Policy samples drawn and scored before training."),
            P("temperature", Positive, 1.0, "Softmax temperature of the weights."),
            P("cfg_scale", NonNegative, 1.0, "Guidance scale the policy samples its training videos at (its own, in its hash; not the policy's sampling setting)."),
            P("sampling_steps", Count(1, 1000), 16L, "Euler steps of the policy's training samples (its own, in its hash; not the policy's sampling setting)."),
        }.Concat(Budget(300)).ToArray())
    {
        Checks = [new DimensionsWithin("dimensions", "reward")],
    };

    public static readonly StageKind FlowDpo = new(
        "flow_dpo",
        StageRole.Align,
        ArtifactType.Generator,
        "Flow-DPO: loss -log sigmoid(-beta/2 [(e_w - e_ref,w) - (e_l - e_ref,l)]); winner and loser share noise and t; the frozen reference runs under no_grad; errors are element means (beta has that scale).",
        new[]
        {
            Policy,
            PropertyDefinition.Optional("reference", new ReferenceType(ArtifactType.Generator), "The frozen reference; defaults to a copy of the policy."),
            PropertyDefinition.Require("pairs", new ReferenceType(ArtifactType.PreferencePairs), "Preference pairs, e.g. prefs.train.relabel(vr)."),
            P("beta", new VariantType(new[]
            {
                new VariantCase(null, Array.Empty<PropertyDefinition>(), Positive),
                new VariantCase("timestep", new[] { PropertyDefinition.Require("beta", Positive, "beta at t = 0.") }),
            }, KindType("FlowDpo.DpoBeta")), VariantValue.OfPlain(500.0), "Constant beta (the paper: 500), or timestep(beta) for beta_t = beta (1 - t)^2."),
        }.Concat(Budget(300)).ToArray());

    public static readonly StageKind FlowNrg = new(
        "flow_nrg",
        StageRole.Guide,
        ArtifactType.Generator,
        "Flow-NRG: reward guidance on noisy latents, v' = v - w·t/(1-t)·grad sum_k lambda_k r_k(x_t, t), after CFG, skipped at t = 1.",
        new[]
        {
            PropertyDefinition.Require("generator", new ReferenceType(ArtifactType.Generator), "The generator to guide."),
            PropertyDefinition.Require("reward", new ReferenceType(ArtifactType.LatentRewardModel, AllowInline: true), "A noise-aware latent reward, e.g. latent_reward { train = prefs.train }."),
            P("weights", new DictionaryType(Dimension, NonNegative, Omitted: 0.0), Map(("VQ", 1.0), ("MQ", 1.0), ("TA", 1.0)), "The lambda per dimension; keys must be dimensions of the reward; without weights every dimension weighs 1."),
            P("strength", NonNegative, 100.0, "Guidance strength w (the paper: 100)."),
            P("coefficient_cap", Positive, 10.0, "Cap on t/(1-t), which grows without bound as t approaches 1."),
            P("ablation", new BooleanType(), false, "Allow a clean (not noise-aware) latent reward, for the paper's ablation."),
            GuideSamplingSteps,
        })
    {
        Checks = [new NoiseAwareReward("reward", "ablation"), new DimensionsWithin("weights", "reward")],
    };

    public static readonly StageKind ClassifierFree = new(
        "classifier_free",
        StageRole.Guide,
        ArtifactType.Generator,
        "A flow generator sampled at another classifier-free guidance scale, v = v_null + scale·(v_prompt − v_null); nothing is trained. The control for an aligner: does it beat guiding the pretrained model harder?",
        new[]
        {
            PropertyDefinition.Require("generator", new ReferenceType(ArtifactType.Generator), "The flow generator to sample (a flow_generator or an aligner)."),
            PropertyDefinition.Require("scale", NonNegative, "The guidance scale s; 1 means the prompt-conditioned velocity alone."),
            GuideSamplingSteps,
        });

    /// <summary>
    /// A guide's own Euler steps. In the guide's hash like its generator's sampling settings already are (a guide's
    /// artifact samples with them), and in no training stage's: changing it re-runs the guide and what samples through it.
    /// </summary>
    private static PropertyDefinition GuideSamplingSteps => PropertyDefinition.Optional(
        "sampling_steps",
        Count(1, 1000),
        "Euler steps from t = 1 to t = 0 for this guide's samples; absent: the generator's sampling_steps. Retrains nothing.");
}
