using Sprache;

namespace Pipeline.Dsl.Parsing;

/// <summary>
/// Records the furthest position where a token was expected but not found, and what was expected there. Sprache
/// reports a failure at the start of the last alternative it backtracked from; the furthest failure is where a
/// person's mistake usually is, so the recovery diagnostics use it.
/// </summary>
internal sealed class FailureTracker
{
    private readonly SortedSet<string> expected = new(StringComparer.Ordinal);

    public int Position { get; private set; } = -1;

    public IReadOnlyCollection<string> Expected => expected;

    public void Record(int position, string what)
    {
        if (position > Position)
        {
            Position = position;
            expected.Clear();
        }

        if (position == Position)
        {
            expected.Add(what);
        }
    }

    public void Reset()
    {
        Position = -1;
        expected.Clear();
    }
}

/// <summary>
/// A Sprache input over a window [start, end) of the whole text, so that one member can be parsed in place (its
/// positions stay offsets into the file) during recovery. Moves by index; never copies the text.
/// </summary>
internal sealed class SourceInput : IInput
{
    private IDictionary<object, object>? memos;

    public SourceInput(string source, int position, int end, FailureTracker tracker)
    {
        Source = source;
        Position = position;
        End = end;
        Tracker = tracker;
    }

    public string Source { get; }

    public int Position { get; }

    /// <summary>The exclusive end of the window this input may read.</summary>
    public int End { get; }

    public FailureTracker Tracker { get; }

    public char Current => Source[Position];

    public bool AtEnd => Position >= End;

    // Line and column are only read by Sprache when it prints a failure; the toolchain maps offsets itself.
    public int Line => 1 + Source.AsSpan(0, Position).Count('\n');

    public int Column => Position - (Position == 0 ? 0 : Source.LastIndexOf('\n', Position - 1) + 1) + 1;

    public IDictionary<object, object> Memos => memos ??= new Dictionary<object, object>();

    public IInput Advance()
    {
        if (AtEnd)
        {
            throw new InvalidOperationException("Cannot advance beyond the end of the input.");
        }

        return new SourceInput(Source, Position + 1, End, Tracker);
    }

    public SourceInput At(int position) => position == Position ? this : new SourceInput(Source, position, End, Tracker);

    public bool Equals(IInput? other) => other is SourceInput input && ReferenceEquals(input.Source, Source) && input.Position == Position && input.End == End;

    public override bool Equals(object? obj) => Equals(obj as IInput);

    public override int GetHashCode() => HashCode.Combine(Position, End);

    public override string ToString() => $"offset {Position}";
}
