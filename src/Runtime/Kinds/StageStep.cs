namespace Pipeline.Runtime.Kinds;

/// <summary>One training step of a stage, for progress displays: step k of n (1-based) and its loss.</summary>
public sealed record StageStep(string Stage, int Step, int Steps, double Loss);

/// <summary>
/// Progress of a stage's work other than training, for progress displays: <paramref name="Done"/> of
/// <paramref name="Total"/> items of <paramref name="What"/> ("videos decoded"), at <paramref name="PerSecond"/> items per second.
/// </summary>
public sealed record StageWork(string Stage, string What, int Done, int Total, double PerSecond);
