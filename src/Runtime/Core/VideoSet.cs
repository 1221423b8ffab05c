using System.Collections;

namespace Pipeline.Runtime.Core;

/// <summary>A video with the prompt it was made for.</summary>
public sealed record PromptedVideo(string Prompt, Video Video);

/// <summary>
/// The Videos artifact (<c>world.videos</c>, <c>prefs.train.winners</c>): videos of one shape with their prompts,
/// as generators and autoencoders train on them.
/// </summary>
public sealed class VideoSet : IReadOnlyList<PromptedVideo>
{
    private readonly IReadOnlyList<PromptedVideo> items;

    public VideoSet(VideoShape shape, IReadOnlyList<PromptedVideo> items)
    {
        foreach (var item in items)
        {
            if (item.Video.Shape != shape)
            {
                throw new ArgumentException($"video of shape {item.Video.Shape} in a set of shape {shape}");
            }
        }

        Shape = shape;
        this.items = items;
    }

    public VideoShape Shape { get; }

    public int Count => items.Count;

    public PromptedVideo this[int index] => items[index];

    /// <summary>All videos as one row-major [N, C·T·H·W] buffer, pixels mapped from [0, 1] to [-1, 1] as flow models expect.</summary>
    public float[] ToSignedBuffer()
    {
        var size = Shape.Channels * Shape.Frames * Shape.Height * Shape.Width;
        var buffer = new float[items.Count * size];
        for (var i = 0; i < items.Count; i++)
        {
            var data = items[i].Video.Data;
            for (var j = 0; j < size; j++)
            {
                buffer[(i * size) + j] = (2 * data[j]) - 1;
            }
        }

        return buffer;
    }

    public IEnumerator<PromptedVideo> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
