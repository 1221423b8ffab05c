using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Runtime.Data.Synthetic;

/// <summary>The shapes the synthetic world draws.</summary>
public enum SyntheticShape
{
    /// <summary>A filled circle (fills π/4 of its bounding box).</summary>
    Disk,

    /// <summary>An axis-aligned filled square (fills its bounding box).</summary>
    Square,

    /// <summary>A square rotated by 45° (fills half of its bounding box).</summary>
    Diamond,
}

/// <summary>The eight compass directions an object moves in; "up" is towards row 0.</summary>
public enum SyntheticDirection
{
    /// <summary>Towards column 0.</summary>
    Left,

    /// <summary>Towards the last column.</summary>
    Right,

    /// <summary>Towards row 0.</summary>
    Up,

    /// <summary>Towards the last row.</summary>
    Down,

    /// <summary>Diagonally up and left.</summary>
    UpLeft,

    /// <summary>Diagonally up and right.</summary>
    UpRight,

    /// <summary>Diagonally down and left.</summary>
    DownLeft,

    /// <summary>Diagonally down and right.</summary>
    DownRight,
}

/// <summary>The two object sizes.</summary>
public enum SyntheticSize
{
    /// <summary>Radius 0.12 of the smaller frame side.</summary>
    Small,

    /// <summary>Radius 0.2 of the smaller frame side.</summary>
    Large,
}

/// <summary>The two speeds: how far the object travels over the whole clip.</summary>
public enum SyntheticSpeed
{
    /// <summary>Travels 0.2 of the frame width over the clip.</summary>
    Slowly,

    /// <summary>Travels 0.4 of the frame width over the clip.</summary>
    Quickly,
}

/// <summary>
/// The fixed vocabulary of the synthetic world: colours with their RGB values, shapes, directions with their unit
/// vectors, sizes and speeds. It is part of the world's definition, versioned with <see cref="Oracle.Version"/>.
/// </summary>
public static class SyntheticVocabulary
{
    /// <summary>The background colour of every synthetic video (RGB).</summary>
    public static readonly float[] Background = [0.10f, 0.10f, 0.12f];

    /// <summary>The colour names, in index order.</summary>
    public static readonly IReadOnlyList<string> ColourNames = ["red", "green", "blue", "yellow", "magenta", "cyan", "white", "orange"];

    /// <summary>The RGB value of each colour, in the order of <see cref="ColourNames"/>.</summary>
    public static readonly IReadOnlyList<float[]> ColourValues =
    [
        [0.90f, 0.15f, 0.15f],
        [0.15f, 0.85f, 0.20f],
        [0.20f, 0.30f, 0.95f],
        [0.95f, 0.90f, 0.15f],
        [0.90f, 0.20f, 0.85f],
        [0.15f, 0.90f, 0.90f],
        [0.95f, 0.95f, 0.95f],
        [0.95f, 0.55f, 0.10f],
    ];

    /// <summary>Number of colours.</summary>
    public static int ColourCount => ColourNames.Count;

    /// <summary>Number of distinct prompts the vocabulary can make (colours × shapes × directions × sizes × speeds).</summary>
    public static int PromptCount =>
        ColourCount * Enum.GetValues<SyntheticShape>().Length * Enum.GetValues<SyntheticDirection>().Length
        * Enum.GetValues<SyntheticSize>().Length * Enum.GetValues<SyntheticSpeed>().Length;

    /// <summary>The unit vector (x = column, y = row) of a direction; up is negative y.</summary>
    public static (double X, double Y) DirectionVector(SyntheticDirection direction)
    {
        const double d = 0.70710678118654752;
        return direction switch
        {
            SyntheticDirection.Left => (-1, 0),
            SyntheticDirection.Right => (1, 0),
            SyntheticDirection.Up => (0, -1),
            SyntheticDirection.Down => (0, 1),
            SyntheticDirection.UpLeft => (-d, -d),
            SyntheticDirection.UpRight => (d, -d),
            SyntheticDirection.DownLeft => (-d, d),
            SyntheticDirection.DownRight => (d, d),
            _ => throw new ArgumentOutOfRangeException(nameof(direction)),
        };
    }

    /// <summary>The word used in prompt text for a direction.</summary>
    public static string DirectionText(SyntheticDirection direction) => direction switch
    {
        SyntheticDirection.Left => "left",
        SyntheticDirection.Right => "right",
        SyntheticDirection.Up => "up",
        SyntheticDirection.Down => "down",
        SyntheticDirection.UpLeft => "up-left",
        SyntheticDirection.UpRight => "up-right",
        SyntheticDirection.DownLeft => "down-left",
        SyntheticDirection.DownRight => "down-right",
        _ => throw new ArgumentOutOfRangeException(nameof(direction)),
    };

    /// <summary>Object radius as a fraction of the smaller frame side.</summary>
    public static double RadiusFraction(SyntheticSize size) => size == SyntheticSize.Small ? 0.12 : 0.20;

    /// <summary>Distance travelled over the whole clip as a fraction of the frame width.</summary>
    public static double TravelFraction(SyntheticSpeed speed) => speed == SyntheticSpeed.Slowly ? 0.2 : 0.4;

    /// <summary>Fraction of the bounding box a shape fills: π/4 for a disk, 1 for a square, 1/2 for a diamond.</summary>
    public static double FillRatio(SyntheticShape shape) => shape switch
    {
        SyntheticShape.Disk => Math.PI / 4,
        SyntheticShape.Square => 1.0,
        SyntheticShape.Diamond => 0.5,
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    /// <summary>Area of a shape of "radius" r (half its bounding-box side), in pixels².</summary>
    public static double Area(SyntheticShape shape, double radius) => 4 * radius * radius * FillRatio(shape);
}

/// <summary>
/// A procedural prompt with its structured attributes, for example "a small red disk moving slowly left".
/// </summary>
/// <param name="Colour">Index into <see cref="SyntheticVocabulary.ColourNames"/>.</param>
/// <param name="Shape">The object's shape.</param>
/// <param name="Direction">The direction of motion.</param>
/// <param name="Size">The object's size.</param>
/// <param name="Speed">How far the object travels over the clip.</param>
public sealed partial record SyntheticPrompt(int Colour, SyntheticShape Shape, SyntheticDirection Direction, SyntheticSize Size, SyntheticSpeed Speed)
{
    /// <summary>The prompt text, "a {size} {colour} {shape} moving {speed} {direction}".</summary>
    public string Text =>
        string.Create(CultureInfo.InvariantCulture,
            $"a {Size.ToString().ToLowerInvariant()} {SyntheticVocabulary.ColourNames[Colour]} {Shape.ToString().ToLowerInvariant()} moving {Speed.ToString().ToLowerInvariant()} {SyntheticVocabulary.DirectionText(Direction)}");

    /// <summary>A stable integer identifying the attribute combination (0 ≤ id &lt; <see cref="SyntheticVocabulary.PromptCount"/>).</summary>
    public int Id =>
        ((((Colour * 3) + (int)Shape) * 8 + (int)Direction) * 2 + (int)Size) * 2 + (int)Speed;

    /// <summary>The prompt with the given <see cref="Id"/>.</summary>
    public static SyntheticPrompt FromId(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, SyntheticVocabulary.PromptCount);
        var speed = (SyntheticSpeed)(id % 2);
        id /= 2;
        var size = (SyntheticSize)(id % 2);
        id /= 2;
        var direction = (SyntheticDirection)(id % 8);
        id /= 8;
        var shape = (SyntheticShape)(id % 3);
        return new SyntheticPrompt(id / 3, shape, direction, size, speed);
    }

    /// <summary>Parses a prompt text made by <see cref="Text"/> back into its attributes; false for any other text.</summary>
    public static bool TryParse(string? text, out SyntheticPrompt? prompt)
    {
        prompt = null;
        if (text is null)
        {
            return false;
        }

        var match = PromptPattern().Match(text.Trim().ToLowerInvariant());
        if (!match.Success)
        {
            return false;
        }

        var colour = -1;
        for (var i = 0; i < SyntheticVocabulary.ColourCount; i++)
        {
            if (SyntheticVocabulary.ColourNames[i] == match.Groups["colour"].Value)
            {
                colour = i;
            }
        }

        SyntheticDirection? direction = null;
        foreach (var d in Enum.GetValues<SyntheticDirection>())
        {
            if (SyntheticVocabulary.DirectionText(d) == match.Groups["direction"].Value)
            {
                direction = d;
            }
        }

        if (colour < 0 || direction is null
            || !Enum.TryParse<SyntheticShape>(match.Groups["shape"].Value, ignoreCase: true, out var shape)
            || !Enum.TryParse<SyntheticSize>(match.Groups["size"].Value, ignoreCase: true, out var size)
            || !Enum.TryParse<SyntheticSpeed>(match.Groups["speed"].Value, ignoreCase: true, out var speed))
        {
            return false;
        }

        prompt = new SyntheticPrompt(colour, shape, direction.Value, size, speed);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    [GeneratedRegex(@"^a (?<size>small|large) (?<colour>[a-z]+) (?<shape>disk|square|diamond) moving (?<speed>slowly|quickly) (?<direction>[a-z\-]+)$")]
    private static partial Regex PromptPattern();
}
