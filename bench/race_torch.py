"""PyTorch's side of the race (bench/race.py runs both): a nanoGPT-style GPT-2.

The same model as eigenformer's GPT<float>: learned positions, pre-norm blocks,
LayerNorm eps 1e-5, tanh GELU, biases, tied output layer; AdamW (PyTorch
defaults), fp32, the same random batch shape. Attention is written out as in
nanoGPT's fallback path (PyTorch 1.13 has no fused attention on the CPU).
Generation keeps a KV cache per layer, as eigenformer does.

usage: race_torch.py --config small --threads 1 --mode train|generate|generate-uncached [--repeats N] [--batch B]
(--batch: rows generated together, each its own sequence, for --mode generate)
Prints one JSON line, like bench/race_step.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {  # vocab, layers, heads, width, context, batch
    "tiny": (64, 2, 4, 64, 64, 32),
    "small": (256, 4, 4, 128, 128, 16),
    "gpt2-mini": (50257, 4, 4, 256, 64, 4),
    "scaling": (1024, 4, 4, 128, 64, 16),
}


class Block(nn.Module):
    def __init__(self, heads, width):
        super().__init__()
        self.heads = heads
        self.ln_1, self.ln_2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.qkv, self.attn_proj = nn.Linear(width, 3 * width), nn.Linear(width, width)
        self.fc, self.fc_proj = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

    def attention(self, x, cache):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln_1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))  # (B, H, T, D)
        past = 0
        if cache is not None:
            if cache:
                past = cache[0].shape[2]
                k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
            cache[:] = [k, v]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.heads)
        mask = torch.ones(t, past + t, dtype=torch.bool).triu(past + 1)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        return self.attn_proj((att @ v).transpose(1, 2).contiguous().view(b, t, c))

    def forward(self, x, cache=None):
        x = x + self.attention(x, cache)
        return x + self.fc_proj(F.gelu(self.fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, vocab, layers, heads, width, context):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, width), nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(heads, width) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)

    def forward(self, idx, start=0, caches=None):
        x = self.wte(idx) + self.wpe(torch.arange(start, start + idx.shape[1]))
        for i, block in enumerate(self.blocks):
            x = block(x, None if caches is None else caches[i])
        return self.ln_f(x) @ self.wte.weight.t()


def median_time(run, warmup, repeats):
    times = []
    for r in range(warmup + repeats):
        start = time.perf_counter()
        run()
        if r >= warmup:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="small", choices=CONFIGS)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--mode", default="train", choices=["train", "generate", "generate-uncached"])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    vocab, layers, heads, width, context, batch = CONFIGS[args.config]
    model = GPT(vocab, layers, heads, width, context)
    if args.mode == "train":
        optimizer = torch.optim.AdamW(model.parameters(), foreach=True)  # its fastest CPU path
        idx = torch.randint(vocab, (batch, context))
        targets = torch.randint(vocab, (batch, context))

        def step():
            logits = model(idx)
            loss = F.cross_entropy(logits.view(-1, vocab), targets.view(-1))
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)

        tokens = batch * context
        seconds = median_time(step, 3, args.repeats)
    else:
        new_tokens = context - 1

        @torch.no_grad()
        def generate():
            idx = torch.ones(args.batch, 1, dtype=torch.long)
            caches = [[] for _ in range(layers)] if args.mode == "generate" else None
            logits = model(idx, 0, caches)
            for i in range(new_tokens):
                next_id = logits[:, -1].argmax(-1, keepdim=True)
                idx = torch.cat([idx, next_id], dim=1)
                if i + 1 == new_tokens:
                    break
                logits = model(next_id, idx.shape[1] - 1, caches) if caches is not None else model(idx)

        tokens = args.batch * new_tokens
        seconds = median_time(generate, 3, args.repeats)
    print(json.dumps({"side": "pytorch", "config": args.config, "mode": args.mode, "threads": args.threads,
                      "batch": args.batch,
                      "tokens_per_s": tokens / seconds, "seconds": seconds,
                      "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
                      "blas": torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0]
                      if "BLAS_INFO=" in torch.__config__.show() else "unknown"}))


if __name__ == "__main__":
    main()
