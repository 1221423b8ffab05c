using Microsoft.ML;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Torch;
using Pipeline.Runtime.Torch.Models;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Kinds.FlowGenerator;

/// <summary>What the three aligners share: the policy's space, the copy they train, the generator they return.</summary>
public static class FlowAlignment
{
    /// <summary>A generator with the policy's space, sampler and device, and another velocity network.</summary>
    public static FlowGeneratorModel WithNetwork(FlowGeneratorModel policy, nn.Module<Tensor, Tensor, Tensor, Tensor> network) =>
        new(network, policy.Shape, policy.Space, policy.SamplingSteps, policy.CfgScale, policy.Device);

    /// <summary>Videos as one flat buffer of values in [0, 1] (each C·T·H·W) → samples of the policy's space [N, ...].</summary>
    public static Tensor ToSpace(FlowGeneratorModel policy, float[] videos, int count)
    {
        using var scope = NewDisposeScope();
        var s = policy.Shape;
        var pixels = tensor(videos, new long[] { count, s.Channels, s.Frames, s.Height, s.Width }, device: policy.Device) * 2 - 1;
        return policy.Space.FromVideos(pixels).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The prompt tokens of a minibatch, each replaced by the null prompt with probability
    /// <see cref="AlignmentSettings.CfgDropout"/>. At 0 nothing is drawn, so the minibatch stream is the one
    /// aligners had before the setting existed.
    /// </summary>
    public static Tensor Prompts(Tensor tokens, Tensor index, AlignmentSettings settings, RandomStream random)
    {
        var prompt = tokens.index_select(0, index);
        return settings.CfgDropout > 0 ? PromptTokens.DropToNull(prompt, settings.CfgDropout, random) : prompt;
    }

    /// <summary>Flow times for training: t ~ U(0, 1), as in the paper's Flow-DPO pseudo-code.</summary>
    public static Tensor SampleTimes(int batch, RandomStream random) => random.Rand(batch);

    /// <summary>The estimators' output schema: the input's columns and the generated <c>Video</c> column.</summary>
    public static SchemaShape OutputSchema(SchemaShape inputSchema)
    {
        var columns = inputSchema.ToDictionary(c => c.Name);
        if (!columns.ContainsKey(VideoSetView.PromptColumn))
        {
            throw new ArgumentException($"the input needs a text column '{VideoSetView.PromptColumn}'");
        }

        columns[VideoSetView.VideoColumn] = SchemaColumns.Single(VideoSetView.VideoColumn, vector: true);
        return new SchemaShape(columns.Values);
    }
}
