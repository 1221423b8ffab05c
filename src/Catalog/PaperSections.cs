namespace Pipeline.Catalog;

/// <summary>
/// Where in the VideoAlign paper (arXiv 2501.13918 v2, the NeurIPS 2025 camera-ready) each stage kind comes from,
/// shown by the language server beside a kind's documentation. Kept apart from the kinds' definitions so that a
/// definition stays about behaviour; a test checks that every kind has its entry.
/// </summary>
public static class PaperSections
{
    private static readonly IReadOnlyDictionary<string, string> ByKind = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["synthetic_videos"] = "§3.1 and Table 1: the preference dataset (here a synthetic world with an oracle judge)",
        ["preference_pairs"] = "§3.1: pairs labelled A wins, tie or B wins on VQ, MQ and TA",
        ["pairs_filter"] = "§3.1 and §3.2: which labelled pairs to learn from (the repository's use_tied_data drops all-tie pairs; BT masks ties)",
        ["autoencoder"] = "§5.2 and App. D: the base model's 3D VAE, whose latents the generator works in",
        ["flow_generator"] = "§4.1 and App. B: rectified flow; §5.2: the pretrained base model",
        ["video_reward"] = "§3.2, Eq. 1–2: VideoReward, trained with the Bradley-Terry (BT) or BT-with-ties (BTT) loss",
        ["latent_reward"] = "§4.4 and App. E: the reward on noisy latents that Flow-NRG needs",
        ["flow_sft"] = "§5.2: the SFT baseline",
        ["flow_rwr"] = "§4.3, Eq. 7–9: Flow-RWR",
        ["flow_dpo"] = "§4.2, Eq. 4–6 and App. C: Flow-DPO",
        ["flow_nrg"] = "§4.4, Eq. 10–11: Flow-NRG, reward guidance on noisy latents with weights per dimension",
        ["classifier_free"] = "§4.1 and App. C: classifier-free guidance, applied before reward guidance",
        ["win_rates"] = "§5.2 and Table 3: win rates against the pretrained model",
    };

    /// <summary>The paper section a kind implements; null for a name that is not a kind.</summary>
    public static string? For(string kind) => ByKind.GetValueOrDefault(kind);
}
