using System.Globalization;
using Pipeline.Runtime.Torch;

namespace Pipeline.Runtime.Kinds.VideoReward;

/// <summary>Which loss trains the reward model (the catalogue's <c>loss</c> variant).</summary>
public enum RewardLossKind
{
    /// <summary>Bradley-Terry, ties masked (<see cref="RewardLosses.BradleyTerry"/>).</summary>
    BradleyTerry,

    /// <summary>Bradley-Terry with ties, Rao-Kupper (<see cref="RewardLosses.BradleyTerryWithTies"/>).</summary>
    BradleyTerryWithTies,

    /// <summary>Regression on per-video scores (<see cref="RewardLosses.Regression"/>).</summary>
    Regression,
}

/// <summary>The loss and, for BTT, its tie parameter θ: the catalogue's <c>loss</c> variant, whose cases are the static members <see cref="Bt"/>, <see cref="Btt"/> and <see cref="Regression"/>.</summary>
public sealed record RewardLoss(RewardLossKind Kind, double Theta)
{
    public static RewardLoss Bt { get; } = new(RewardLossKind.BradleyTerry, double.NaN);

    public static RewardLoss Btt(double theta) => new(RewardLossKind.BradleyTerryWithTies, theta);

    public static RewardLoss Regression { get; } = new(RewardLossKind.Regression, double.NaN);

    /// <summary>The loss as experiment files write it: bt, btt(theta: 5.0), regression.</summary>
    public override string ToString() => Kind switch
    {
        RewardLossKind.BradleyTerry => "bt",
        RewardLossKind.BradleyTerryWithTies => string.Create(CultureInfo.InvariantCulture, $"btt(theta: {Theta:0.0###})"),
        _ => "regression",
    };
}
