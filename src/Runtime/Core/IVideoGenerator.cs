namespace Pipeline.Runtime.Core;

/// <summary>
/// The Generator artifact: anything that turns prompts and a seed into videos. Trained flow generators, aligned and
/// guided ones, and the world's own procedural generators (<c>world.best</c>, <c>world.worst</c>) all implement it,
/// so an evaluation compares them on the same prompts and seeds.
/// </summary>
public interface IVideoGenerator
{
    /// <summary>The shape of the videos it makes.</summary>
    VideoShape Shape { get; }

    /// <summary>One video per prompt; the same prompts and seed give the same videos.</summary>
    IReadOnlyList<Video> Generate(IReadOnlyList<string> prompts, long seed);
}
