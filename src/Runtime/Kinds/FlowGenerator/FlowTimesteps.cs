namespace Pipeline.Runtime.Kinds.FlowGenerator;

/// <summary>How flow-matching training samples the time t (the catalogue's <c>timesteps</c>).</summary>
public enum FlowTimesteps
{
    /// <summary>t ~ U(0, 1).</summary>
    Uniform,

    /// <summary>t = σ(n), n ~ N(0, 1): more samples near t = ½.</summary>
    LogitNormal,
}
