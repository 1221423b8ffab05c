"""PyTorch mirrors of Pipeline's networks, and the safetensors model files Pipeline writes and reads.

Each class mirrors one TorchSharp module of src/Runtime (same layers, same names in snake_case, same arithmetic), so
a model file's tensors load with ``load_state_dict(strict=True)`` and give the runtime's outputs (the test suite checks
1e-5 both ways: tests/Runtime.Tests/Interop). docs/contracts.md, "Model files", lists the metadata keys.

    import pipeline_models as pm
    model, metadata = pm.load("vr.safetensors")        # the mirror the metadata describes, weights loaded, eval mode
    scores = model(videos, tokens)                     # VideoReward-mini: videos [B, 3, T, H, W] in [0, 1]
    pm.save("mine.safetensors", model, metadata)       # weights back into a file Pipeline reads

Only torch is needed (1.13 or later); the ``safetensors`` package is used when it is installed, else the few lines
below read and write the format. Prompts are token ids here: VideoReward-mini's are GPT-2 BPE ids + 1 (0 is padding,
at most 32), the generator's and the latent reward's are FNV-1a hashes of lower-cased words into 4095 buckets + 1 (at
most 16); metadata "pipeline.tokenizer" says which.
"""
import json
import math
import struct

import torch
from torch import nn
import torch.nn.functional as F

FORMAT = "pipeline-model/1"

_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
    "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}


# ---------------------------------------------------------------------------------------------------------- the format

def read_safetensors(path):
    """(tensors by name, metadata) of a safetensors file."""
    try:
        from safetensors import safe_open
    except ImportError:
        safe_open = None
    if safe_open is not None:
        with safe_open(path, framework="pt") as file:
            return {name: file.get_tensor(name) for name in file.keys()}, dict(file.metadata() or {})
    with open(path, "rb") as file:
        (length,) = struct.unpack("<Q", file.read(8))
        header = json.loads(file.read(length).decode("utf-8"))
        data = file.read()
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = _DTYPES[entry["dtype"]]
        if end > begin:
            tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(entry["shape"])
        else:
            tensors[name] = torch.empty(entry["shape"], dtype=dtype)
    return tensors, dict(metadata)


def write_safetensors(path, tensors, metadata=None):
    """Writes tensors (a dict) and metadata (a dict of strings) as safetensors, the header padded to 8 bytes."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, tensor in tensors.items():
        tensor = tensor.detach().contiguous().cpu()
        raw = (tensor.view(torch.int16) if tensor.dtype == torch.bfloat16 else tensor).numpy().tobytes()
        header[name] = {"dtype": _NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)))
        file.write(text)
        for raw in blobs:
            file.write(raw)


# ------------------------------------------------------------------------------------------------ shared pieces

def coordinates(x):
    """Frame, row and column coordinates in [-1, 1] as three channels [B, 3, T, H, W] (VelocityConvNet.Coordinates)."""
    b, _, frames, height, width = x.shape
    t = torch.linspace(-1, 1, frames, device=x.device).view(1, 1, frames, 1, 1).expand(b, 1, frames, height, width)
    r = torch.linspace(-1, 1, height, device=x.device).view(1, 1, 1, height, 1).expand(b, 1, frames, height, width)
    c = torch.linspace(-1, 1, width, device=x.device).view(1, 1, 1, 1, width).expand(b, 1, frames, height, width)
    return torch.cat([t, r, c], 1)


def time_embedding(t, features):
    """Sinusoidal features of flow times t [B] (TimeEmbedding.Encode)."""
    half = features // 2
    exponents = torch.arange(half, dtype=torch.float32, device=t.device) / max(1, half - 1)
    angles = t.unsqueeze(1) * torch.pow(1000.0, exponents).unsqueeze(0)
    return torch.cat([angles.sin(), angles.cos()], 1)


class PromptEncoder(nn.Module):
    """The generator's prompt vector: the sum of word embeddings, or a learned null vector for an all-padding row."""

    def __init__(self, features, buckets=4096):
        super().__init__()
        self.embedding = nn.Embedding(buckets, features, padding_idx=0)
        self.null_prompt = nn.Parameter(torch.zeros(features))

    def forward(self, tokens):
        mask = tokens.ne(0).float().unsqueeze(-1)
        is_null = mask.sum(1).eq(0).float()
        pooled = (self.embedding(tokens) * mask).sum(1)
        return pooled * (1 - is_null) + self.null_prompt.unsqueeze(0) * is_null


# ------------------------------------------------------------------------------------------------ the autoencoder

class VideoAutoencoder(nn.Module):
    """Videos [B, C, T, H, W] in [-1, 1] <-> latents [B, c, T, h, w], frame by frame (pixel unshuffle, 3x3 convolutions)."""

    def __init__(self, video_shape, latent_shape, width):
        super().__init__()
        self.video_shape, self.latent_shape, self.width = list(video_shape), list(latent_shape), width
        self.factor = video_shape[2] // latent_shape[2]
        patch = video_shape[0] * self.factor * self.factor
        self.encoder = nn.ModuleList([nn.Conv2d(patch, width, 3, padding=1), nn.Conv2d(width, width, 3, padding=1),
                                      nn.Conv2d(width, width, 3, padding=1), nn.Conv2d(width, latent_shape[0], 1)])
        self.decoder = nn.ModuleList([nn.Conv2d(latent_shape[0], width, 3, padding=1), nn.Conv2d(width, width, 3, padding=1),
                                      nn.Conv2d(width, width, 3, padding=1), nn.Conv2d(width, 2 * patch, 1)])

    @staticmethod
    def _frames(x):
        return x.permute(0, 2, 1, 3, 4).reshape(x.shape[0] * x.shape[2], x.shape[1], x.shape[3], x.shape[4])

    @staticmethod
    def _videos(frames, batch):
        t = frames.shape[0] // batch
        return frames.reshape(batch, t, frames.shape[1], frames.shape[2], frames.shape[3]).permute(0, 2, 1, 3, 4)

    def encode(self, videos):
        h = F.pixel_unshuffle(self._frames(videos), self.factor)
        for conv in self.encoder[:-1]:
            h = F.silu(conv(h))
        return self._videos(self.encoder[-1](h), videos.shape[0])

    def decode_distribution(self, latents):
        """(mean, log sigma) of the pixels, each [B, C, T, H, W]."""
        h = self._frames(latents)
        for conv in self.decoder[:-1]:
            h = F.silu(conv(h))
        mean, log_sigma = self.decoder[-1](h).chunk(2, 1)
        batch = latents.shape[0]
        return (self._videos(F.pixel_shuffle(mean, self.factor), batch),
                self._videos(F.pixel_shuffle(log_sigma, self.factor), batch).clamp(-7, 0))

    def forward(self, videos):
        return self.decode_distribution(self.encode(videos))[0]

    def describe(self, width_key="pipeline.width"):
        return {"pipeline.video_shape": json.dumps(self.video_shape), "pipeline.latent_shape": json.dumps(self.latent_shape),
                width_key: str(self.width)}


# ------------------------------------------------------------------------------------------------ generators

class VelocityConvNet(nn.Module):
    """The latent velocity network v(x_t, t, prompt): factorised space-time blocks with FiLM from prompt and time."""

    def __init__(self, latent_channels, width, blocks=3):
        super().__init__()
        self.width = width
        self.prompt = PromptEncoder(width)
        self.time_input = nn.Linear(32, width)
        self.condition = nn.Linear(width, width)
        self.input = nn.Conv3d(latent_channels + 3, width, 3, padding=1)
        self.first = nn.ModuleList([nn.Conv3d(width, width, (1, 3, 3), padding=(0, 1, 1)) for _ in range(blocks)])
        self.second = nn.ModuleList([nn.Conv3d(width, width, (3, 1, 1), padding=(1, 0, 0)) for _ in range(blocks)])
        self.film = nn.ModuleList([nn.Linear(width, 2 * width) for _ in range(blocks)])
        self.output = nn.Conv3d(width, latent_channels, 3, padding=1)

    def forward(self, x, t, tokens):
        c = F.silu(self.prompt(tokens) + self.time_input(time_embedding(t, 32)))
        c = F.silu(self.condition(c))
        h = self.input(torch.cat([x, coordinates(x)], 1))
        for first, second, film in zip(self.first, self.second, self.film):
            scale, shift = film(c)[:, :, None, None, None].chunk(2, 1)
            inner = first(F.silu(h)) * (1 + scale) + shift
            h = h + second(F.silu(inner))
        return self.output(F.silu(h))


class VelocityMlp(nn.Module):
    """The pixel-space velocity network: an MLP on the flattened video, time features (16) and a prompt vector (32)."""

    def __init__(self, dimensions, width):
        super().__init__()
        self.width = width
        self.prompt = PromptEncoder(32)
        self.input = nn.Linear(dimensions + 16 + 32, width)
        self.hidden = nn.Linear(width, width)
        self.output = nn.Linear(width, dimensions)

    def forward(self, x, t, tokens):
        features = torch.cat([x.reshape(x.shape[0], -1), time_embedding(t, 16), self.prompt(tokens)], 1)
        h = F.silu(self.hidden(F.silu(self.input(features))))
        return self.output(h).reshape(x.shape)


class FlowGenerator(nn.Module):
    """A flow generator's file: the velocity network and, for a latent one, its autoencoder and latent statistics."""

    def __init__(self, velocity, autoencoder, video_shape, sampling_steps, cfg_scale, mean=None, deviation=None):
        super().__init__()
        self.velocity = velocity
        if autoencoder is not None:
            self.autoencoder = autoencoder
        self.video_shape, self.sampling_steps, self.cfg_scale = list(video_shape), sampling_steps, cfg_scale
        self.mean, self.deviation = mean, deviation

    def forward(self, x, t, tokens):
        return self.velocity(x, t, tokens)

    def describe(self):
        metadata = {"pipeline.video_shape": json.dumps(self.video_shape), "pipeline.sampling_steps": str(self.sampling_steps),
                    "pipeline.cfg_scale": repr(float(self.cfg_scale)), "pipeline.width": str(self.velocity.width)}
        metadata.update(_generator_prompts())
        if isinstance(self.velocity, VelocityConvNet):
            metadata["pipeline.network"] = "conv"
            metadata.update(self.autoencoder.describe("pipeline.autoencoder_width"))
            metadata["pipeline.latent_mean"] = json.dumps([float(v) for v in self.mean])
            metadata["pipeline.latent_deviation"] = json.dumps([float(v) for v in self.deviation])
        else:
            metadata["pipeline.network"] = "mlp"
        return metadata


def _generator_prompts():
    return {"pipeline.tokenizer": "words-fnv1a-4096", "pipeline.vocabulary": "4096", "pipeline.max_tokens": "16"}


def merge_lora(network, tensors, metadata):
    """Adds the adapter's (alpha / rank) * B @ A to each target layer's weight of ``network`` (peft's merge_and_unload)."""
    scale = float(metadata["pipeline.alpha"]) / int(metadata["pipeline.rank"])
    layers = dict(network.named_modules())
    with torch.no_grad():
        for name in json.loads(metadata["pipeline.target_modules"]):
            weight = layers[name].weight
            delta = tensors[name + ".lora_A.weight"], tensors[name + ".lora_B.weight"]
            weight.add_((scale * (delta[1] @ delta[0])).view(weight.shape))
    return network


def lora_targets(network):
    """The layers Pipeline's LoRA adapts: every linear and convolution layer, in module order."""
    return [name for name, module in network.named_modules() if isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d))]


# ------------------------------------------------------------------------------------------------ the latent reward

class PromptMatch(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.width = width
        self.video = nn.Linear(width, width)
        self.prompt = nn.Linear(width, width, bias=False)

    def forward(self, features, centred_prompt):
        return (self.video(features) * self.prompt(centred_prompt)).sum(1, keepdim=True) / math.sqrt(self.width)


class PromptCentre(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.register_buffer("centre", torch.zeros(width))


def _context_agnostic(dimension):
    return dimension in ("VQ", "MQ")


class LatentRewardNetwork(nn.Module):
    """r(x_t, t, prompt) on noisy latents: VQ and MQ from time-conditioned video features, TA a prompt match."""

    def __init__(self, latent_channels, width, dimensions, blocks=2):
        super().__init__()
        self.width, self.dimensions = width, list(dimensions)
        self.prompt = PromptEncoder(width)
        self.time_input = nn.Linear(32, width)
        self.condition = nn.Linear(width, width)
        self.input = nn.Conv3d(latent_channels + 3, width, 3, padding=1)
        self.spatial = nn.ModuleList([nn.Conv3d(width, width, (1, 3, 3), padding=(0, 1, 1)) for _ in range(blocks)])
        self.temporal = nn.ModuleList([nn.Conv3d(width, width, (3, 1, 1), padding=(1, 0, 0)) for _ in range(blocks)])
        self.film = nn.ModuleList([nn.Linear(width, 2 * width) for _ in range(blocks)])
        self.hidden = nn.Linear(3 * width, width)
        self.agnostic = nn.ModuleList([nn.Linear(width, 1) for d in dimensions if _context_agnostic(d)])
        self.matches = nn.ModuleList([PromptMatch(width) for d in dimensions if not _context_agnostic(d)])
        self.centre = PromptCentre(width)
        self.register_buffer("score_scale", torch.ones(len(dimensions)))

    def forward(self, x, t, tokens):
        c = F.silu(self.time_input(time_embedding(t, 32)))
        c = F.silu(self.condition(c))
        h = self.input(torch.cat([x, coordinates(x)], 1))
        for spatial, temporal, film in zip(self.spatial, self.temporal, self.film):
            scale, shift = film(c)[:, :, None, None, None].chunk(2, 1)
            inner = spatial(F.silu(h)) * (1 + scale) + shift
            h = h + temporal(F.silu(inner))
        flat = F.silu(h).flatten(2)
        v = F.silu(self.hidden(torch.cat([flat.mean(2), flat.amax(2), c], 1)))
        agnostic, matches, scores, centred = iter(self.agnostic), iter(self.matches), [], None
        for dimension in self.dimensions:
            if _context_agnostic(dimension):
                scores.append(next(agnostic)(v))
            else:
                centred = self.prompt(tokens) - self.centre.centre if centred is None else centred
                scores.append(next(matches)(v, centred))
        return torch.cat(scores, 1) / self.score_scale


class LatentReward(nn.Module):
    """A latent reward's file: the network, its autoencoder and the latent statistics it normalises with."""

    def __init__(self, reward, autoencoder, noise_aware, mean, deviation):
        super().__init__()
        self.reward, self.autoencoder = reward, autoencoder
        self.noise_aware, self.mean, self.deviation = noise_aware, mean, deviation

    def forward(self, x, t, tokens):
        return self.reward(x, t, tokens)

    def describe(self):
        metadata = {"pipeline.dimensions": json.dumps(self.reward.dimensions), "pipeline.noise_aware": "true" if self.noise_aware else "false",
                    "pipeline.width": str(self.reward.width), "pipeline.latent_mean": json.dumps([float(v) for v in self.mean]),
                    "pipeline.latent_deviation": json.dumps([float(v) for v in self.deviation])}
        metadata.update(self.autoencoder.describe("pipeline.autoencoder_width"))
        metadata.update(_generator_prompts())
        return metadata


# ------------------------------------------------------------------------------------------------ VideoReward-mini

class RewardVideoEncoder(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.spatial1 = nn.Conv3d(6, width, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))
        self.temporal1 = nn.Conv3d(width, width, (3, 1, 1), padding=(1, 0, 0))
        self.spatial2 = nn.Conv3d(width, width, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))
        self.temporal2 = nn.Conv3d(width, width, (3, 1, 1), padding=(1, 0, 0))
        self.temperature = nn.Parameter(torch.ones(width))
        self.project = nn.Linear(6 * width, width)

    @staticmethod
    def prepare(video):
        x = video * 2 - 1
        if x.shape[2] > 1:
            difference = torch.cat([torch.zeros_like(x[:, :, :1]), x[:, :, 1:] - x[:, :, :-1]], 2)
        else:
            difference = torch.zeros_like(x)
        return x, difference

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
        batch, channels, frames, height, width = fmap.shape
        weights = (fmap.flatten(3) * self.temperature.reshape(1, channels, 1, 1)).softmax(-1)
        ys = torch.linspace(-1, 1, height, device=fmap.device).reshape(height, 1).expand(height, width).reshape(-1)
        xs = torch.linspace(-1, 1, width, device=fmap.device).reshape(1, width).expand(height, width).reshape(-1)
        px, py = (weights * xs).sum(-1), (weights * ys).sum(-1)
        if frames < 3:
            return torch.zeros(batch, 4 * channels, device=fmap.device)
        vx, vy = (px[:, :, 1:] - px[:, :, :-1]) * 10, (py[:, :, 1:] - py[:, :, :-1]) * 10
        ax, ay = vx[:, :, 1:] - vx[:, :, :-1], vy[:, :, 1:] - vy[:, :, :-1]
        speed = (vx.square() + vy.square() + 1e-6).sqrt().mean(2)
        jerk = (ax.square() + ay.square() + 1e-6).sqrt().mean(2)
        return torch.cat([vx.mean(2), vy.mean(2), speed, jerk], 1)


class RewardPromptEncoder(nn.Module):
    def __init__(self, vocabulary, width):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, width, padding_idx=0)
        self.project = nn.Linear(width, width)

    def forward(self, tokens):
        mask = tokens.ne(0).float().unsqueeze(-1)
        return F.gelu(self.project((self.embedding(tokens) * mask).sum(1)))


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
        if frames > 1:
            time = torch.arange(frames, dtype=torch.float32, device=x.device)
            time = (time - time.mean()).reshape(1, 1, frames, 1)
            velocity = (time * centroid).sum(2) / time.square().sum() * 10
        else:
            velocity = torch.zeros(b, self.regions, 2, device=x.device)
        speed = (velocity.square().sum(-1, keepdim=True) + 1e-4).sqrt()
        return torch.cat([offset, offset_direction, velocity, velocity / speed, speed], -1).reshape(b, -1)


class PromptModulation(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.film = nn.Linear(width, 2 * width)
        nn.init.zeros_(self.film.weight)
        nn.init.zeros_(self.film.bias)

    def forward(self, fmap, prompt):
        gamma, beta = self.film(prompt).chunk(2, 1)
        shape = (prompt.shape[0], fmap.shape[1], 1, 1, 1)
        return F.gelu(fmap * (1 + gamma.reshape(shape)) + beta.reshape(shape))


class ScoreHead(nn.Module):
    def __init__(self, inputs, width, outputs):
        super().__init__()
        self.hidden = nn.Linear(inputs, width)
        self.output = nn.Linear(width, outputs)

    def forward(self, features):
        return self.output(F.gelu(self.hidden(features)))


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
    """VideoReward-mini: (videos [B, 3, T, H, W] in [0, 1], GPT-2 ids + 1 [B, L]) -> raw scores [B, D].

    tokens="separate": VQ and MQ heads read only the pooled video (context-agnostic), every other dimension is a
    distance between the video's measurements and the prompt. tokens="shared": one head reads the prompt-modulated
    video and the prompt together and outputs every dimension.
    """

    def __init__(self, dimensions, tokens, vocabulary, width, regions=8):
        super().__init__()
        self.dimensions, self.tokens, self.width = list(dimensions), tokens, width
        self.video = RewardVideoEncoder(width)
        self.prompt = RewardPromptEncoder(vocabulary, width)
        self.tracks = ObjectTracks(regions)
        features = regions * 11
        if tokens == "shared":
            self.modulation = nn.ModuleList([PromptModulation(width)])
            self.heads = nn.ModuleList([ScoreHead(3 * width + features, width, len(dimensions))])
            self.distances = nn.ModuleList()
        else:
            self.modulation = nn.ModuleList()
            self.heads = nn.ModuleList([ScoreHead(width, width, 1) for d in dimensions if _context_agnostic(d)])
            self.distances = nn.ModuleList([PromptDistance(width + features, width, 4, 4) for d in dimensions if not _context_agnostic(d)])

    def forward(self, videos, tokens):
        x, difference = RewardVideoEncoder.prepare(videos)
        fmap, motion = self.video.encode(x, difference)
        v = self.video.pool(fmap, motion)
        needs_prompt = self.tokens == "shared" or any(not _context_agnostic(d) for d in self.dimensions)
        p = self.prompt(tokens) if needs_prompt else None
        objects = self.tracks(x, difference) if needs_prompt else None
        if self.tokens == "shared":
            read = self.video.pool(self.modulation[0](fmap, p), motion)
            return self.heads[0](torch.cat([read, p, read * p, objects], 1))
        measured = None if objects is None else torch.cat([v, objects], 1)
        heads, distances = iter(self.heads), iter(self.distances)
        return torch.cat([next(heads)(v) if _context_agnostic(d) else next(distances)(measured, p) for d in self.dimensions], 1)

    def describe(self):
        return {"pipeline.dimensions": json.dumps(self.dimensions), "pipeline.tokens": self.tokens, "pipeline.width": str(self.width),
                "pipeline.tokenizer": "gpt2+1", "pipeline.vocabulary": str(self.prompt.embedding.num_embeddings), "pipeline.max_tokens": "32"}


# ------------------------------------------------------------------------------------------------ files

def _shape(metadata, key):
    return json.loads(metadata[key])


def build(metadata):
    """The untrained mirror a model file's metadata describes (a LoRA adapter has none: see merge_lora)."""
    kind = metadata.get("pipeline.model")
    if metadata.get("pipeline.format") != FORMAT:
        raise ValueError(f"not a {FORMAT} file (pipeline.format is {metadata.get('pipeline.format')!r})")
    if kind == "autoencoder":
        return VideoAutoencoder(_shape(metadata, "pipeline.video_shape"), _shape(metadata, "pipeline.latent_shape"), int(metadata["pipeline.width"]))
    if kind == "flow_generator":
        video, width = _shape(metadata, "pipeline.video_shape"), int(metadata["pipeline.width"])
        steps, cfg = int(metadata["pipeline.sampling_steps"]), float(metadata["pipeline.cfg_scale"])
        if metadata["pipeline.network"] == "mlp":
            return FlowGenerator(VelocityMlp(math.prod(video), width), None, video, steps, cfg)
        latent = _shape(metadata, "pipeline.latent_shape")
        autoencoder = VideoAutoencoder(video, latent, int(metadata["pipeline.autoencoder_width"]))
        return FlowGenerator(VelocityConvNet(latent[0], width), autoencoder, video, steps, cfg,
                             json.loads(metadata["pipeline.latent_mean"]), json.loads(metadata["pipeline.latent_deviation"]))
    if kind == "video_reward":
        return VideoRewardNetwork(json.loads(metadata["pipeline.dimensions"]), metadata["pipeline.tokens"],
                                  int(metadata["pipeline.vocabulary"]), int(metadata["pipeline.width"]))
    if kind == "latent_reward":
        video, latent = _shape(metadata, "pipeline.video_shape"), _shape(metadata, "pipeline.latent_shape")
        reward = LatentRewardNetwork(latent[0], int(metadata["pipeline.width"]), json.loads(metadata["pipeline.dimensions"]))
        autoencoder = VideoAutoencoder(video, latent, int(metadata["pipeline.autoencoder_width"]))
        return LatentReward(reward, autoencoder, metadata["pipeline.noise_aware"] == "true",
                            json.loads(metadata["pipeline.latent_mean"]), json.loads(metadata["pipeline.latent_deviation"]))
    raise ValueError(f"no mirror for pipeline.model {kind!r}")


def load(path):
    """(model in eval mode, metadata) of a Pipeline model file; the weights load strictly."""
    tensors, metadata = read_safetensors(path)
    model = build(metadata)
    model.load_state_dict(tensors, strict=True)
    return model.eval(), metadata


def save(path, model, metadata=None):
    """Writes a mirror's weights with its hyperparameters' metadata (and any given keys, e.g. provenance)."""
    keys = {"format": "pt", "pipeline.format": FORMAT}
    keys.update(metadata or {})
    keys.update(model.describe())
    keys["pipeline.model"] = {VideoAutoencoder: "autoencoder", FlowGenerator: "flow_generator", VideoRewardNetwork: "video_reward",
                              LatentReward: "latent_reward"}[type(model)]
    write_safetensors(path, model.state_dict(), keys)


def save_lora(path, tensors, rank, alpha, network, metadata=None):
    """Writes a LoRA adapter ({layer}.lora_A.weight [rank, in*k], {layer}.lora_B.weight [out, rank]) for a 'conv' or 'mlp' base."""
    targets = sorted({name[:-len(".lora_A.weight")] for name in tensors if name.endswith(".lora_A.weight")})
    keys = {"format": "pt", "pipeline.format": FORMAT, "pipeline.model": "lora_adapter", "pipeline.rank": str(rank),
            "pipeline.alpha": repr(float(alpha)), "pipeline.network": network, "pipeline.target_modules": json.dumps(targets)}
    keys.update(metadata or {})
    write_safetensors(path, tensors, keys)
