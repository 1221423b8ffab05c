#!/usr/bin/env python3
"""PyTorch side of the GPU comparison (bench/gpu/run.sh): the same training and sampling steps as Pipeline's runtime.

The modules below mirror src/Runtime/Torch/Models (VelocityConvNet, LatentRewardNetwork, VideoRewardNetwork with separate
tokens) layer for layer, so both sides launch the same kernels; the sizes come from the JSON the Pipeline side wrote
(`Pipeline.Bench.Training steps --json`), so those cannot drift apart. The modules can: when a network in
src/Runtime/Torch/Models changes, change its mirror here (the test checks that both sides run, not that they match).
Timing matches bench/Pipeline.Bench.Training StepClock: a step ends when its loss has been read back (.item()), the
first 3 steps are untimed, the figure is the median of the rest. Runs on PyTorch 1.13 (Debian's python3-torch, CPU, used by the test) and 2.x (CUDA).

  reference.py run --config pipeline.json --json pytorch.json [--device cuda] [--adam foreach|single]
  reference.py compare pipeline.json pytorch.json [--single pytorch-single.json] [--smi smi.txt]

--adam picks torch.optim.Adam's implementation: foreach (multi-tensor, PyTorch's default on CUDA; the target) or
single (one parameter at a time, foreach=False). Pipeline's own Adam works on flat buffers (src/Runtime/Torch/FlatAdam.cs).
"""
import argparse
import json
import math
import sys
import time

WARMUP = 3


def modules():
    # Imported here so that `compare` runs where torch is missing.
    import torch
    from torch import nn
    import torch.nn.functional as F

    def coordinates(x):
        b, _, frames, height, width = x.shape
        t = torch.linspace(-1, 1, frames, device=x.device).view(1, 1, frames, 1, 1).expand(b, 1, frames, height, width)
        r = torch.linspace(-1, 1, height, device=x.device).view(1, 1, 1, height, 1).expand(b, 1, frames, height, width)
        c = torch.linspace(-1, 1, width, device=x.device).view(1, 1, 1, 1, width).expand(b, 1, frames, height, width)
        return torch.cat([t, r, c], 1)

    def time_embedding(t, features=32):
        half = features // 2
        exponents = torch.arange(half, dtype=torch.float32, device=t.device) / max(1, half - 1)
        angles = t.unsqueeze(1) * torch.pow(torch.tensor(1000.0, device=t.device), exponents).unsqueeze(0)
        return torch.cat([angles.sin(), angles.cos()], 1)

    class PromptEncoder(nn.Module):
        def __init__(self, features, buckets=4096):
            super().__init__()
            self.embedding = nn.Embedding(buckets, features, padding_idx=0)
            self.null_prompt = nn.Parameter(torch.zeros(features))

        def forward(self, tokens):
            mask = tokens.ne(0).float().unsqueeze(-1)
            is_null = mask.sum(1).eq(0).float()
            pooled = (self.embedding(tokens) * mask).sum(1)
            return pooled * (1 - is_null) + self.null_prompt.unsqueeze(0) * is_null

    class FactorisedNet(nn.Module):
        """VelocityConvNet (blocks=3, output conv) and LatentRewardNetwork (blocks=2, pooled score head) share this trunk."""

        def __init__(self, channels, width, blocks):
            super().__init__()
            self.prompt = PromptEncoder(width)
            self.time_input = nn.Linear(32, width)
            self.condition = nn.Linear(width, width)
            self.input = nn.Conv3d(channels + 3, width, 3, padding=1)
            self.first = nn.ModuleList([nn.Conv3d(width, width, (1, 3, 3), padding=(0, 1, 1)) for _ in range(blocks)])
            self.second = nn.ModuleList([nn.Conv3d(width, width, (3, 1, 1), padding=(1, 0, 0)) for _ in range(blocks)])
            self.film = nn.ModuleList([nn.Linear(width, 2 * width) for _ in range(blocks)])

        def trunk(self, x, t, tokens):
            # The velocity net is conditioned on prompt and time; the latent reward's trunk on time only (tokens None).
            c = self.time_input(time_embedding(t))
            c = F.silu(c if tokens is None else self.prompt(tokens) + c)
            c = F.silu(self.condition(c))
            h = self.input(torch.cat([x, coordinates(x)], 1))
            for first, second, film in zip(self.first, self.second, self.film):
                scale, shift = film(c)[:, :, None, None, None].chunk(2, 1)
                inner = first(F.silu(h)) * (1 + scale) + shift
                h = h + second(F.silu(inner))
            return h, c

    class VelocityConvNet(FactorisedNet):
        def __init__(self, channels, width):
            super().__init__(channels, width, 3)
            self.output = nn.Conv3d(width, channels, 3, padding=1)

        def forward(self, x, t, tokens):
            h, _ = self.trunk(x, t, tokens)
            return self.output(F.silu(h))

    class LatentRewardNetwork(FactorisedNet):
        """VQ and MQ from the time-conditioned video features alone; TA = <U v, G (p - p_bar)> / sqrt(width)."""

        def __init__(self, channels, width, dimensions):
            super().__init__(channels, width, 2)
            self.width = width
            self.hidden = nn.Linear(3 * width, width)
            self.agnostic = nn.ModuleList([nn.Linear(width, 1) for _ in range(dimensions - 1)])
            self.match_video = nn.Linear(width, width)
            self.match_prompt = nn.Linear(width, width, bias=False)
            self.register_buffer("centre", torch.zeros(width))

        def forward(self, x, t, tokens):
            h, c = self.trunk(x, t, None)
            flat = F.silu(h).flatten(2)
            v = F.silu(self.hidden(torch.cat([flat.mean(2), flat.amax(2), c], 1)))
            centred = self.prompt(tokens) - self.centre
            ta = (self.match_video(v) * self.match_prompt(centred)).sum(1, keepdim=True) / math.sqrt(self.width)
            return torch.cat([head(v) for head in self.agnostic] + [ta], 1)

    class RewardVideoEncoder(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.spatial1 = nn.Conv3d(6, width, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))
            self.temporal1 = nn.Conv3d(width, width, (3, 1, 1), padding=(1, 0, 0))
            self.spatial2 = nn.Conv3d(width, width, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))
            self.temporal2 = nn.Conv3d(width, width, (3, 1, 1), padding=(1, 0, 0))
            self.temperature = nn.Parameter(torch.ones(width))
            self.project = nn.Linear(6 * width, width)

        def encode(self, x, difference):
            h = F.gelu(self.spatial1(torch.cat([x, difference], 1)))
            h = F.gelu(self.temporal1(h)) + h
            motion = self.motion(h)
            h = F.gelu(self.spatial2(h))
            return F.gelu(self.temporal2(h)) + h, motion

        def pool(self, fmap, motion):
            flat = fmap.flatten(2)
            return F.gelu(self.project(torch.cat([flat.mean(2), flat.amax(2), motion], 1)))

        def motion(self, fmap):
            _, channels, frames, height, width = fmap.shape
            weights = (fmap.flatten(3) * self.temperature.reshape(1, channels, 1, 1)).softmax(-1)
            ys = torch.linspace(-1, 1, height, device=fmap.device).reshape(height, 1).expand(height, width).reshape(-1)
            xs = torch.linspace(-1, 1, width, device=fmap.device).reshape(1, width).expand(height, width).reshape(-1)
            px, py = (weights * xs).sum(-1), (weights * ys).sum(-1)
            vx, vy = (px[:, :, 1:] - px[:, :, :-1]) * 10, (py[:, :, 1:] - py[:, :, :-1]) * 10
            ax, ay = vx[:, :, 1:] - vx[:, :, :-1], vy[:, :, 1:] - vy[:, :, :-1]
            speed = (vx.square() + vy.square() + 1e-6).sqrt().mean(2)
            jerk = (ax.square() + ay.square() + 1e-6).sqrt().mean(2)
            return torch.cat([vx.mean(2), vy.mean(2), speed, jerk], 1)

    class ScoreHead(nn.Module):
        def __init__(self, inputs, width, outputs):
            super().__init__()
            self.hidden = nn.Linear(inputs, width)
            self.output = nn.Linear(width, outputs)

        def forward(self, features):
            return self.output(F.gelu(self.hidden(features)))

    class ObjectTracks(nn.Module):
        def __init__(self, regions):
            super().__init__()
            self.regions = regions
            self.attention = nn.Conv3d(6, regions, (1, 3, 3), padding=(0, 1, 1))

        def forward(self, x, difference):
            b, _, frames, height, width = x.shape
            weights = self.attention(torch.cat([x, difference], 1)).flatten(3).softmax(-1)
            pixels = x.flatten(3)
            colour = torch.einsum("bktp,bctp->bktc", weights, pixels)
            offset = (colour - pixels.mean(3).permute(0, 2, 1).unsqueeze(1)).mean(2)
            offset_direction = offset / (offset.square().sum(-1, keepdim=True) + 1e-4).sqrt()
            ys = torch.linspace(-1, 1, height, device=x.device).reshape(height, 1).expand(height, width).reshape(-1)
            xs = torch.linspace(-1, 1, width, device=x.device).reshape(1, width).expand(height, width).reshape(-1)
            centroid = torch.stack([(weights * xs).sum(-1), (weights * ys).sum(-1)], -1)
            time = torch.arange(frames, dtype=torch.float32, device=x.device)
            time = (time - time.mean()).reshape(1, 1, frames, 1)
            velocity = (time * centroid).sum(2) / time.square().sum() * 10
            speed = (velocity.square().sum(-1, keepdim=True) + 1e-4).sqrt()
            return torch.cat([offset, offset_direction, velocity, velocity / speed, speed], -1).reshape(b, -1)

    class PromptDistance(nn.Module):
        def __init__(self, video_features, prompt_features, groups, group_width):
            super().__init__()
            self.groups = groups
            self.video = nn.Linear(video_features, groups * group_width)
            self.prompt = nn.Linear(prompt_features, groups * group_width)
            self.bias = nn.Parameter(torch.zeros(1))

        def forward(self, features, prompt):
            gap = (self.video(features) - self.prompt(prompt)).reshape(features.shape[0], self.groups, -1)
            return self.bias - (gap.square().sum(2) + 1e-3).sqrt().sum(1, keepdim=True)

    class VideoRewardNetwork(nn.Module):
        """Separate tokens: VQ, MQ (context-agnostic heads) and TA (a distance between video and prompt)."""

        def __init__(self, vocabulary, width):
            super().__init__()
            self.video = RewardVideoEncoder(width)
            self.embedding = nn.Embedding(vocabulary, width, padding_idx=0)
            self.prompt_project = nn.Linear(width, width)
            self.tracks = ObjectTracks(8)
            self.heads = nn.ModuleList([ScoreHead(width, width, 1), ScoreHead(width, width, 1)])
            self.distance = PromptDistance(width + 8 * 11, width, 4, 4)

        def forward(self, videos, tokens):
            x = videos * 2 - 1
            difference = torch.cat([torch.zeros_like(x[:, :, :1]), x[:, :, 1:] - x[:, :, :-1]], 2)
            fmap, motion = self.video.encode(x, difference)
            mask = tokens.ne(0).float().unsqueeze(-1)
            p = F.gelu(self.prompt_project((self.embedding(tokens) * mask).sum(1)))
            v = self.video.pool(fmap, motion)
            measured = torch.cat([v, self.tracks(x, difference)], 1)
            return torch.cat([self.heads[0](v), self.heads[1](v), self.distance(measured, p)], 1)

    return torch, F, VelocityConvNet, LatentRewardNetwork, VideoRewardNetwork


def median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


class Clock:
    def __init__(self):
        self.stamps = [time.perf_counter()]

    def tick(self):
        self.stamps.append(time.perf_counter())

    def ms_per_step(self):
        first = min(WARMUP, len(self.stamps) - 2)
        return median([(b - a) * 1000 for a, b in zip(self.stamps[first:], self.stamps[first + 1:])])


def run(args):
    torch, F, VelocityConvNet, LatentRewardNetwork, VideoRewardNetwork = modules()
    size = json.load(open(args.config))["size"]
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    torch.manual_seed(7)
    c, frames, height, width = size["latent"]
    latent = (c, frames, height, width)
    n, b, steps = size["pairs"], size["batch"], args.steps or size["steps"]
    vocabulary, reward_tokens, prompt_words = 50258, 32, 16  # RewardPromptTokens.Vocabulary/MaxTokens, PromptTokens.MaxWords
    tokens = torch.randint(1, 4096, (n, prompt_words), device=device)
    memory = {}

    def adam_for(parameters, lr):
        return torch.optim.Adam(parameters, lr, foreach=args.adam == "foreach")

    def measured(name, fn):
        if cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats(device)
        value = fn()
        if cuda:
            memory[name] = {"max_allocated": torch.cuda.max_memory_allocated(device), "max_reserved": torch.cuda.max_memory_reserved(device)}
        return value

    def flow():
        data = torch.randn((n,) + latent, device=device)
        net = VelocityConvNet(c, size["generator_width"]).to(device).train()
        adam = adam_for(net.parameters(), 1e-3)
        clock = Clock()
        for _ in range(steps):
            adam.zero_grad()
            index = torch.randint(n, (b,), device=device)
            x0 = data.index_select(0, index)
            prompt = tokens.index_select(0, index) * torch.rand((b, 1), device=device).ge(0.1).long()
            noise = torch.randn_like(x0)
            t = torch.rand(b, device=device)
            tt = t.view(-1, 1, 1, 1, 1)
            loss = (net((1 - tt) * x0 + tt * noise, t, prompt) - (noise - x0)).pow(2).mean()
            loss.backward()
            adam.step()
            loss.item()
            clock.tick()
        return clock.ms_per_step(), net.eval()

    def dpo(reference):
        winners, losers = torch.randn((n,) + latent, device=device), torch.randn((n,) + latent, device=device)
        policy = VelocityConvNet(c, size["generator_width"]).to(device)
        policy.load_state_dict(reference.state_dict())
        policy.train()
        adam = adam_for(policy.parameters(), 1e-4)
        clock = Clock()
        for _ in range(steps):
            adam.zero_grad()
            index = torch.randint(n, (b,), device=device)
            x0 = torch.cat([winners.index_select(0, index), losers.index_select(0, index)], 0)
            prompt = tokens.index_select(0, index).repeat(2, 1)
            noise = torch.randn((b,) + latent, device=device).repeat(2, 1, 1, 1, 1)
            t = torch.rand(b, device=device).repeat(2)
            tt = t.view(-1, 1, 1, 1, 1)
            xt, target = (1 - tt) * x0 + tt * noise, noise - x0
            policy_errors = (policy(xt, t, prompt) - target).pow(2).reshape(2 * b, -1).mean(1)
            with torch.no_grad():
                reference_errors = (reference(xt, t, prompt) - target).pow(2).reshape(2 * b, -1).mean(1)
            change = policy_errors - reference_errors
            loss = -F.logsigmoid(-0.5 * 500.0 * (change[:b] - change[b:])).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
            adam.step()
            loss.item()
            clock.tick()
        return clock.ms_per_step()

    def reward():
        shape = (n,) + tuple(size["video"])
        videos_a, videos_b = torch.rand(shape, device=device), torch.rand(shape, device=device)
        words = torch.randint(1, vocabulary, (n, reward_tokens), device=device)
        labels = (torch.arange(n * 3, device=device).remainder(3) - 1).float().reshape(n, 3)
        net = VideoRewardNetwork(vocabulary, size["reward_width"]).to(device).train()
        adam = adam_for(net.parameters(), 2e-3)
        log_theta, tie_constant = math.log(5.0), math.log(24.0)
        per_epoch = (n + b - 1) // b
        clock = Clock()
        for step in range(max(2, steps // 4) * per_epoch):
            if step % per_epoch == 0:
                order = torch.randperm(n, device=device)
            adam.zero_grad()
            index = order[(step % per_epoch) * b:][:b]
            count = index.shape[0]
            step_words = words.index_select(0, index)
            scores = net(torch.cat([videos_a.index_select(0, index), videos_b.index_select(0, index)], 0), torch.cat([step_words, step_words], 0))
            margins = scores[:count] - scores[count:]
            h = labels.index_select(0, index)
            tie = h.eq(0).float()
            decisive = -F.logsigmoid(h * margins - log_theta)
            tied = -F.logsigmoid(margins - log_theta) - F.logsigmoid(-margins - log_theta) - tie_constant
            loss = (decisive * (1 - tie) + tied * tie).mean()
            loss.backward()
            adam.step()
            loss.item()
            clock.tick()
        return clock.ms_per_step()

    def nrg(generator):
        latent_reward = LatentRewardNetwork(c, size["latent_reward_width"], 3).to(device).eval()
        lam = torch.tensor([0.1, 0.1, 0.8], device=device)
        ones, zeros = torch.ones(1, c, 1, 1, 1, device=device), torch.zeros(1, c, 1, 1, 1, device=device)
        prompt = tokens[:b]
        sampling, cfg = size["sampling_steps"], size["cfg_scale"]

        def sample(guided):
            x = torch.randn((b,) + latent, device=device)
            dt = 1.0 / sampling
            with torch.no_grad():
                for i in range(sampling):
                    t_value = 1.0 - i * dt
                    t = torch.full((b,), t_value, device=device)
                    both = generator(torch.cat([x, x], 0), torch.cat([t, t], 0), torch.cat([prompt, torch.zeros_like(prompt)], 0))
                    v = both[b:] + cfg * (both[:b] - both[b:])
                    coefficient = 0.0 if t_value >= 1 else min(t_value / (1 - t_value), 10.0)
                    if guided and coefficient > 0:
                        with torch.enable_grad():
                            inp = x.detach().requires_grad_(True)
                            raw = inp * ones + zeros  # the generator's and the reward's latent normalisations
                            total = (latent_reward((raw - zeros) / ones, t, prompt) * lam).sum()
                            gradient, = torch.autograd.grad([total], [inp])
                        v = v - coefficient * gradient
                    x = x - dt * v
            x.cpu()

        def timed(guided):
            times = []
            for _ in range(args.rounds + 1):
                start = time.perf_counter()
                sample(guided)
                times.append((time.perf_counter() - start) * 1000 / sampling)
            return median(times[1:])

        return timed(False), timed(True)

    def count(module):
        return sum(p.numel() for p in module.parameters())

    parameters = {
        "generator": count(VelocityConvNet(c, size["generator_width"])),
        "reward": count(VideoRewardNetwork(vocabulary, size["reward_width"])),
        "latent_reward": count(LatentRewardNetwork(c, size["latent_reward_width"], 3)),
    }
    flow_ms, generator = measured("flow_matching", flow)
    dpo_ms = measured("flow_dpo", lambda: dpo(generator))
    reward_ms = measured("reward", reward)
    unguided, guided = measured("nrg", lambda: nrg(generator))
    result = {
        "side": "pytorch",
        "torch": torch.__version__,
        "device": str(device) + (" " + torch.cuda.get_device_name(device) if cuda else ""),
        "threads": torch.get_num_threads(),
        "adam": args.adam,
        "size": size,
        "ms_per_step": {"flow_matching": flow_ms, "flow_dpo": dpo_ms, "reward": reward_ms, "nrg_unguided": unguided, "nrg_guided": guided},
        "cuda_memory": memory,
        "parameters": parameters,
    }
    json.dump(result, open(args.json, "w"), indent=2)
    print(json.dumps(result, indent=2))


# The targets (issue "The GPU path"): training steps at most 0.95 of PyTorch eager with its foreach Adam, sampling
# steps at most 0.9, and NRG's guided / unguided ratio no worse than PyTorch's own.
TRAINING, SAMPLING = 0.95, 0.9


def compare(args):
    ours, theirs = json.load(open(args.pipeline)), json.load(open(args.pytorch))
    single = json.load(open(args.single)) if args.single else None
    a, b = ours["ms_per_step"], theirs["ms_per_step"]
    print(f"size {ours['size']['name']}; Pipeline: TorchSharp on libtorch {ours['torch']}, {ours['device']}; PyTorch {theirs['torch']} eager, {theirs['device']}")
    print("| step | Pipeline ms/step | PyTorch ms/step, Adam " + theirs.get("adam", "foreach") + " | Pipeline / PyTorch (target) |"
          + (" PyTorch ms/step, Adam single | Pipeline / PyTorch single |" if single else ""))
    print("| --- | --- | --- | --- |" + (" --- | --- |" if single else ""))
    failed = []
    for key, name, target in [("flow_matching", "flow matching", TRAINING), ("flow_dpo", "Flow-DPO", TRAINING),
                              ("reward", "reward model (BTT)", TRAINING), ("nrg_unguided", "sampling step, unguided (CFG)", SAMPLING),
                              ("nrg_guided", "sampling step, NRG-guided", SAMPLING)]:
        ratio = a[key] / b[key]
        extra = f" {single['ms_per_step'][key]:.3f} | {a[key] / single['ms_per_step'][key]:.3f} |" if single else ""
        print(f"| {name} | {a[key]:.3f} | {b[key]:.3f} | {ratio:.3f} (<= {target}) |" + extra)
        if ratio > target:
            failed.append(f"{name} {ratio:.2f}")
    ours_nrg, theirs_nrg = a["nrg_guided"] / a["nrg_unguided"], b["nrg_guided"] / b["nrg_unguided"]
    print(f"NRG guided / unguided: Pipeline {ours_nrg:.2f}, PyTorch {theirs_nrg:.2f} (target: Pipeline <= PyTorch)")
    if ours_nrg > theirs_nrg:
        failed.append(f"NRG guided / unguided {ours_nrg:.2f} > {theirs_nrg:.2f}")
    for name, stats in theirs.get("cuda_memory", {}).items():
        print(f"PyTorch CUDA memory, {name}: max allocated {stats['max_allocated'] / 2**20:.1f} MiB, max reserved {stats['max_reserved'] / 2**20:.1f} MiB")
    ours_count, theirs_count = ours.get("parameters", {}), theirs.get("parameters", {})
    differ = [f"{k} {ours_count[k]} (runtime) vs {theirs_count.get(k)} (reference.py)" for k in sorted(ours_count) if ours_count[k] != theirs_count.get(k)]
    print("modules: same parameter counts" if not differ else
          "modules differ, update bench/gpu/reference.py to mirror src/Runtime/Torch/Models: " + ", ".join(differ))
    if args.smi:
        print(open(args.smi).read().strip())
    print("targets missed: " + (", ".join(failed) if failed else "none"))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--config", required=True)
    r.add_argument("--json", required=True)
    r.add_argument("--device", default="cpu")
    r.add_argument("--steps", type=int, default=0)
    r.add_argument("--rounds", type=int, default=5)
    r.add_argument("--adam", choices=["foreach", "single"], default="foreach")
    c = sub.add_parser("compare")
    c.add_argument("pipeline")
    c.add_argument("pytorch")
    c.add_argument("--single", help="a second PyTorch run with --adam single, shown beside the first")
    c.add_argument("--smi")
    args = parser.parse_args()
    run(args) if args.command == "run" else compare(args)


if __name__ == "__main__":
    sys.exit(main())
