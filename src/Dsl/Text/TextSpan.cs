namespace Pipeline.Dsl.Text;

/// <summary>A half-open range of characters [Start, Start + Length) in one source text.</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;

    public static TextSpan FromBounds(int start, int end) => new(start, end - start);

    public bool Contains(TextSpan other) => other.Start >= Start && other.End <= End;

    public override string ToString() => $"[{Start}..{End})";
}
