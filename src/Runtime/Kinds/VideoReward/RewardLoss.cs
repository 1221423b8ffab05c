using System.Globalization;
using Pipeline.Catalog;
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

/// <summary>The loss and, for BTT, its tie parameter θ.</summary>
public sealed record RewardLoss(RewardLossKind Kind, double Theta)
{
    public static RewardLoss Bt { get; } = new(RewardLossKind.BradleyTerry, double.NaN);

    public static RewardLoss Btt(double theta) => new(RewardLossKind.BradleyTerryWithTies, theta);

    public static RewardLoss Regression { get; } = new(RewardLossKind.Regression, double.NaN);

    /// <summary>The loss a catalogue variant value names: bt, btt(theta: θ) or regression.</summary>
    public static RewardLoss FromVariant(VariantValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Case switch
        {
            "bt" => Bt,
            "btt" => Btt(value.Arguments.TryGetValue("theta", out var theta) ? Convert.ToDouble(theta, CultureInfo.InvariantCulture) : throw new ArgumentException("btt needs theta")),
            "regression" => Regression,
            _ => throw new ArgumentException($"unknown reward loss '{value.Case}'; use bt, btt or regression"),
        };
    }

    /// <summary>The loss as experiment files write it: bt, btt(theta: 5.0), regression.</summary>
    public override string ToString() => Kind switch
    {
        RewardLossKind.BradleyTerry => "bt",
        RewardLossKind.BradleyTerryWithTies => string.Create(CultureInfo.InvariantCulture, $"btt(theta: {Theta:0.0###})"),
        _ => "regression",
    };
}
