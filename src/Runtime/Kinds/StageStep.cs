namespace Pipeline.Runtime.Kinds;

/// <summary>One training step of a stage, for progress displays: step k of n (1-based) and its loss.</summary>
public sealed record StageStep(string Stage, int Step, int Steps, double Loss);
