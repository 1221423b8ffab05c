using Microsoft.ML;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;

namespace Pipeline.Runtime.Tests.Data;

/// <summary>A video set as a data view and back: the estimators' one way of taking videos.</summary>
public sealed class VideoSetViewTests
{
    private static readonly VideoShape Shape = new(3, 2, 2, 2);

    private static VideoSet Set() => new(Shape, new[]
    {
        new PromptedVideo("a red ball", new Video(Shape, Enumerable.Range(0, Shape.Length).Select(i => i / 24f).ToArray())),
        new PromptedVideo("a green cube", new Video(Shape, Enumerable.Range(0, Shape.Length).Select(i => 1 - (i / 24f)).ToArray())),
    });

    [Fact]
    public void A_view_it_made_reads_back_as_the_same_set_without_a_copy()
    {
        var context = new MLContext(seed: 1);
        var videos = Set();
        Assert.Same(videos, VideoSetView.Read(context, videos.ToDataView(context)));
    }

    [Fact]
    public void Any_other_view_with_the_columns_reads_back_the_same_prompts_and_pixels()
    {
        var context = new MLContext(seed: 1);
        var videos = Set();

        // Cached through ML.NET: a view of the same rows that ToDataView did not make, read through a cursor.
        var other = context.Data.Cache(videos.ToDataView(context));
        var read = VideoSetView.Read(context, other);

        Assert.NotSame(videos, read);
        Assert.Equal(Shape, read.Shape);
        Assert.Equal(["a red ball", "a green cube"], read.Select(v => v.Prompt).ToArray());
        Assert.Equal(videos[1].Video.Data, read[1].Video.Data);
        Assert.Equal(11 / 24f, read[0].Video.Data[11]);
    }
}
