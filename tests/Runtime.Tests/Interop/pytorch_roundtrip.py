#!/usr/bin/env python3
"""The PyTorch side of PyTorchRoundTripTests (tests/Runtime.Tests/Interop).

  pytorch_roundtrip.py forward DIR   every DIR/<case>.model.safetensors the runtime wrote: load it into its mirror
                                     (python/pipeline_models.py), run DIR/<case>.inputs.safetensors through it, write
                                     DIR/<case>.pytorch.safetensors
  pytorch_roundtrip.py create DIR    for every case below: a mirror with seeded random weights written as
                                     DIR/<case>.model.safetensors and as the state dict torch.save writes,
                                     DIR/<case>.pt (what init = file("x.pt") reads), inputs, and its outputs as
                                     DIR/<case>.pytorch.safetensors

A case named lora_* also has DIR/<case>.lora.safetensors, an adapter of the generator in <case>.model.safetensors.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "python"))
import torch  # noqa: E402
import pipeline_models as pm  # noqa: E402

VIDEO, LATENT = [3, 4, 8, 8], [4, 4, 4, 4]
REWARD_VIDEO, VOCABULARY = [3, 4, 16, 16], 50258  # GPT-2 ids + 1 (RewardPromptTokens.Vocabulary)
DIMENSIONS = ["VQ", "MQ", "TA"]


def run(model, kind, inputs):
    """The outputs the C# side computes for the same case (PyTorchRoundTripTests.Run)."""
    with torch.no_grad():
        if kind == "autoencoder":
            latents = model.encode(inputs["videos"])
            mean, log_sigma = model.decode_distribution(latents)
            return {"latents": latents, "mean": mean, "log_sigma": log_sigma}
        if kind == "video_reward":
            return {"scores": model(inputs["videos"], inputs["tokens"])}
        if kind == "latent_reward":
            return {"scores": model(inputs["x"], inputs["t"], inputs["tokens"])}
        return {"velocity": model(inputs["x"], inputs["t"], inputs["tokens"])}


def forward(folder):
    cases = sorted(name[:-len(".model.safetensors")] for name in os.listdir(folder) if name.endswith(".model.safetensors"))
    for case in cases:
        model, metadata = pm.load(os.path.join(folder, case + ".model.safetensors"))
        lora = os.path.join(folder, case + ".lora.safetensors")
        if os.path.exists(lora):
            tensors, adapter = pm.read_safetensors(lora)
            pm.merge_lora(model.velocity, tensors, adapter)
        inputs, _ = pm.read_safetensors(os.path.join(folder, case + ".inputs.safetensors"))
        pm.write_safetensors(os.path.join(folder, case + ".pytorch.safetensors"), run(model, metadata["pipeline.model"], inputs))
    print(f"forward: {len(cases)} cases: {', '.join(cases)}")


def randomize(module, generator):
    """Uniform weights of the scale a layer's default init has, so no part is zero (LoRA's B, FiLM, the null prompt)."""
    with torch.no_grad():
        for name, tensor in module.state_dict().items():
            if not tensor.is_floating_point():
                continue
            if name.endswith("temperature") or name.endswith("score_scale"):
                low, high = 0.5, 1.5
            else:
                bound = 1 / (tensor[0].numel() ** 0.5 if tensor.dim() >= 2 else 2)
                low, high = -bound, bound
            tensor.copy_(low + (high - low) * torch.rand(tensor.shape, generator=generator))


def prompt_tokens(generator, vocabulary, length, used):
    tokens = torch.zeros(2, length, dtype=torch.int64)
    for row, count in enumerate(used):
        tokens[row, :count] = torch.randint(1, vocabulary, (count,), generator=generator)
    return tokens


def latent_inputs(generator, shape):
    return {"x": torch.randn([2] + shape, generator=generator), "t": torch.tensor([0.25, 0.8]),
            "tokens": prompt_tokens(generator, 4096, 16, [5, 0])}


def autoencoder(generator):
    return pm.VideoAutoencoder(VIDEO, LATENT, 8)


def conv_generator(generator):
    return pm.FlowGenerator(pm.VelocityConvNet(LATENT[0], 8), autoencoder(generator), VIDEO, 4, 3.0, [0.1, -0.2, 0.3, 0.0], [1.0, 0.5, 2.0, 1.5])


def create(folder):
    generator = torch.Generator().manual_seed(22)
    reward_keys = {"pipeline.video_shape": json.dumps(REWARD_VIDEO), "pipeline.loss": "btt(theta: 5.0)", "pipeline.ties": "rao-kupper",
                   "pipeline.tie_theta": "5", "pipeline.score_mean": "[0.5, -1.0, 2.0]", "pipeline.score_deviation": "[1.5, 0.25, 3.0]"}
    reward_inputs = {"videos": torch.rand([2] + REWARD_VIDEO, generator=generator), "tokens": prompt_tokens(generator, VOCABULARY, 32, [7, 12])}
    cases = {
        "autoencoder": (autoencoder(generator), {}, {"videos": torch.rand([2] + VIDEO, generator=generator) * 2 - 1}),
        "flow_generator_conv": (conv_generator(generator), {}, latent_inputs(generator, LATENT)),
        "flow_generator_mlp": (pm.FlowGenerator(pm.VelocityMlp(3 * 4 * 8 * 8, 16), None, VIDEO, 4, 1.0), {}, latent_inputs(generator, VIDEO)),
        "lora_adapter": (conv_generator(generator), {}, latent_inputs(generator, LATENT)),
        "video_reward_separate": (pm.VideoRewardNetwork(DIMENSIONS, "separate", VOCABULARY, 8), reward_keys, reward_inputs),
        "video_reward_shared": (pm.VideoRewardNetwork(DIMENSIONS, "shared", VOCABULARY, 8), reward_keys, reward_inputs),
        "latent_reward": (pm.LatentReward(pm.LatentRewardNetwork(LATENT[0], 8, DIMENSIONS), autoencoder(generator), True,
                                          [0.1, -0.2, 0.3, 0.0], [1.0, 0.5, 2.0, 1.5]), {}, latent_inputs(generator, LATENT)),
    }
    for case, (model, keys, inputs) in cases.items():
        randomize(model, generator)
        model.eval()
        pm.save(os.path.join(folder, case + ".model.safetensors"), model, keys)
        torch.save(model.state_dict(), os.path.join(folder, case + ".pt"))
        pm.write_safetensors(os.path.join(folder, case + ".inputs.safetensors"), inputs)
        if case.startswith("lora"):
            rank, alpha = 2, 4.0
            adapter = {}
            for name in pm.lora_targets(model.velocity):
                weight = dict(model.velocity.named_modules())[name].weight
                bound = 1 / weight[0].numel() ** 0.5
                adapter[name + ".lora_A.weight"] = (torch.rand(rank, weight[0].numel(), generator=generator) * 2 - 1) * bound
                adapter[name + ".lora_B.weight"] = (torch.rand(weight.shape[0], rank, generator=generator) * 2 - 1) * 0.1
            pm.save_lora(os.path.join(folder, case + ".lora.safetensors"), adapter, rank, alpha, "conv")
            pm.merge_lora(model.velocity, adapter, {"pipeline.rank": str(rank), "pipeline.alpha": str(alpha),
                                                    "pipeline.target_modules": json.dumps(pm.lora_targets(model.velocity))})
        kind = {pm.VideoAutoencoder: "autoencoder", pm.VideoRewardNetwork: "video_reward", pm.LatentReward: "latent_reward"}.get(type(model), "flow_generator")
        pm.write_safetensors(os.path.join(folder, case + ".pytorch.safetensors"), run(model, kind, inputs))
    print(f"create: {len(cases)} cases: {', '.join(cases)}")


if __name__ == "__main__":
    command, folder = sys.argv[1], sys.argv[2]
    torch.set_num_threads(1)
    {"forward": forward, "create": create}[command](folder)
