namespace Pipeline.Runtime.Data;

/// <summary>A human (or annotator) preference between video A and video B; the values are the paper's h ∈ {+1, −1, 0}.</summary>
public enum PreferenceLabel : sbyte
{
    /// <summary>Video B is preferred (h = −1; "B" in label files).</summary>
    B = -1,

    /// <summary>Neither is preferred (h = 0; "same" in label files).</summary>
    Tie = 0,

    /// <summary>Video A is preferred (h = +1; "A" in label files).</summary>
    A = 1,
}

/// <summary>The preference dimensions of the paper.</summary>
public enum PreferenceDimension
{
    /// <summary>Visual quality: static factors such as clarity and detail.</summary>
    VQ,

    /// <summary>Motion quality: dynamic stability, smoothness, naturalness.</summary>
    MQ,

    /// <summary>Text alignment: agreement of subject, motion and attributes with the prompt.</summary>
    TA,

    /// <summary>An overall preference (VideoGen-RewardBench has it; the mean of the three z-scores for the oracle).</summary>
    Overall,
}
