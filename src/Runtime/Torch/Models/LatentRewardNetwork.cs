using Pipeline.Runtime.Torch.Models.Reward;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models;

/// <summary>
/// The time-dependent latent reward network r(x_t, t, prompt) of Flow-NRG: autoencoder latents [B, c, T, H, W]
/// (normalised per channel, noisy at flow time t) → one score per dimension [B, D]. It never decodes: Flow-NRG takes
/// its gradient with respect to x_t inside the sampling loop, which is the point of guiding in latent space.
/// </summary>
/// <remarks>
/// <para>
/// The video trunk sees the latents and the flow time only: an input 3×3×3 convolution over the latents and coordinate
/// channels (as in <see cref="VelocityConvNet"/>, so the network can tell where and when the object is),
/// <see cref="Blocks"/> factorised residual blocks (1×3×3 spatial convolution, FiLM from the time, 3×1×1 temporal
/// convolution), a mean and a max over positions, and a hidden layer that also reads the time, giving video features v.
/// </para>
/// <para>
/// VQ and MQ read v alone (context-agnostic, as VideoReward's separate tokens, <see cref="VideoRewardNetwork.IsContextAgnostic"/>).
/// Every other dimension (TA) is a <see cref="PromptMatch"/> of v against the centred prompt (p the summed word
/// embeddings): with the old TA head, which could score prompt-independent quality, the TA output learned the same
/// "better video" as VQ and MQ, its gradient pushed the same way, and the weights did not steer guidance
/// (docs/guidance.md).
/// </para>
/// </remarks>
public sealed class LatentRewardNetwork : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    public const int Blocks = 2;
    private const int TimeFeatures = 32;
    private readonly PromptEncoder prompt;
    private readonly Linear timeInput;
    private readonly Linear condition;
    private readonly Conv3d input;
    private readonly ModuleList<Conv3d> spatial;
    private readonly ModuleList<Conv3d> temporal;
    private readonly ModuleList<Linear> film;
    private readonly Linear hidden;
    private readonly ModuleList<Linear> agnostic;
    private readonly ModuleList<PromptMatch> matches;
    private readonly PromptCentre centre;
    private readonly Tensor scoreScale;
    private readonly bool[] contextAgnostic;

    public LatentRewardNetwork(LatentShape latent, int width, IReadOnlyList<string> dimensions)
        : base(nameof(LatentRewardNetwork))
    {
        Latent = latent;
        Width = width;
        Dimensions = dimensions.ToArray();
        contextAgnostic = Dimensions.Select(VideoRewardNetwork.IsContextAgnostic).ToArray();
        prompt = new PromptEncoder(width);
        timeInput = nn.Linear(TimeFeatures, width);
        condition = nn.Linear(width, width);
        input = nn.Conv3d(latent.Channels + VelocityConvNet.CoordinateChannels, width, 3, padding: 1);
        spatial = new ModuleList<Conv3d>();
        temporal = new ModuleList<Conv3d>();
        film = new ModuleList<Linear>();
        for (var b = 0; b < Blocks; b++)
        {
            spatial.Add(nn.Conv3d(width, width, (1L, 3L, 3L), padding: (0L, 1L, 1L)));
            temporal.Add(nn.Conv3d(width, width, (3L, 1L, 1L), padding: (1L, 0L, 0L)));
            film.Add(nn.Linear(width, 2 * width));
        }

        hidden = nn.Linear(3 * width, width);
        agnostic = new ModuleList<Linear>();
        matches = new ModuleList<PromptMatch>();
        foreach (var isAgnostic in contextAgnostic)
        {
            if (isAgnostic)
            {
                agnostic.Add(nn.Linear(width, 1));
            }
            else
            {
                matches.Add(new PromptMatch(width));
            }
        }

        centre = new PromptCentre(width);
        scoreScale = ones(Dimensions.Count); // a buffer, saved with the weights: 1 while training
        RegisterComponents();
    }

    public LatentShape Latent { get; }

    public int Width { get; }

    public IReadOnlyList<string> Dimensions { get; }

    /// <summary>While training: p̄ is the mean over these training prompts' tokens [N, L] (<see cref="PromptCentre"/>).</summary>
    public void UseTrainingPrompts(Tensor tokens) => centre.UseTrainingPrompts(tokens);

    /// <summary>
    /// After training: divides every later score by its dimension's standard deviation on the training latents, so
    /// that one unit of each output is one standard deviation and the guidance weights λ compare like with like.
    /// Margins keep their signs, so accuracies do not change.
    /// </summary>
    public void StandardiseScores(float[] deviations)
    {
        using (no_grad())
        {
            scoreScale.copy_(tensor(deviations, device: scoreScale.device));
        }
    }

    /// <summary>After training: stores p̄ with the weights.</summary>
    public void FreezePromptCentre() => centre.Freeze(prompt.forward);

    /// <param name="x">Latents [B, c, T, H, W] at flow time t.</param>
    /// <param name="t">Flow times [B] (0 for clean latents).</param>
    /// <param name="tokens">Prompt token ids [B, L] (<see cref="PromptTokens"/>).</param>
    /// <returns>Scores [B, D].</returns>
    public override Tensor forward(Tensor x, Tensor t, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var c = nn.functional.silu(timeInput.forward(TimeEmbedding.Encode(t, TimeFeatures)));
        c = nn.functional.silu(condition.forward(c));
        var h = input.forward(cat(new[] { x, VelocityConvNet.Coordinates(x) }, 1));
        for (var b = 0; b < Blocks; b++)
        {
            var modulation = film[b].forward(c).unsqueeze(-1).unsqueeze(-1).unsqueeze(-1).chunk(2, 1);
            var inner = spatial[b].forward(nn.functional.silu(h));
            inner = (inner * (1 + modulation[0])) + modulation[1];
            h = h + temporal[b].forward(nn.functional.silu(inner));
        }

        var flat = nn.functional.silu(h).flatten(2);
        var v = nn.functional.silu(hidden.forward(cat(new[] { flat.mean(new long[] { 2 }), flat.amax(new long[] { 2 }), c }, 1)));
        Tensor? centred = null;
        var scores = new Tensor[Dimensions.Count];
        for (int d = 0, a = 0, m = 0; d < scores.Length; d++)
        {
            if (contextAgnostic[d])
            {
                scores[d] = agnostic[a++].forward(v);
                continue;
            }

            centred ??= centre.Centred(prompt.forward(tokens), prompt.forward);
            scores[d] = matches[m++].forward(v, centred);
        }

        return (cat(scores, 1) / scoreScale).MoveToOuterDisposeScope();
    }
}
