"""PyTorch reference for eigenformer's cross-check test (run with /usr/bin/python3).

Builds a small nanoGPT-style GPT-2 (tanh GELU, LayerNorm eps 1e-5, tied head)
with random weights, writes it in llm.c's checkpoint format with a padded vocab
(padding rows filled with garbage, which a loader must drop), and writes what
PyTorch computes for one batch: logits, loss, every gradient (llm.c order), and
the losses of 5 AdamW steps with warmup + cosine schedule and clipping.

usage: torch_reference.py OUT_DIR
"""
import math
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

V, VP, T, L, H, C = 61, 128, 16, 2, 3, 24
B = 3
LR, WARMUP, STEPS, MIN_LR = 1e-2, 2, 5, 1e-3
WEIGHT_DECAY, BETAS, EPS, CLIP = 0.1, (0.9, 0.95), 1e-8, 1.0


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.qkv, self.attn_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.fc, self.fc_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln_1(x)).split(C, dim=2)
        q, k, v = (z.view(b, t, H, c // H).transpose(1, 2) for z in (q, k, v))  # (B, H, T, D)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // H)
        att = att.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        x = x + self.attn_proj(y)
        return x + self.fc_proj(F.gelu(self.fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(T, C)
        self.blocks = nn.ModuleList(Block() for _ in range(L))
        self.ln_f = nn.LayerNorm(C)

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.blocks:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return logits, F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1)


def llmc_order(model):
    """The tensors in llm.c's file order: wte, wpe, then each kind stacked over layers, then ln_f."""
    kinds = ["ln_1.weight", "ln_1.bias", "qkv.weight", "qkv.bias", "attn_proj.weight", "attn_proj.bias",
             "ln_2.weight", "ln_2.bias", "fc.weight", "fc.bias", "fc_proj.weight", "fc_proj.bias"]
    named = dict(model.named_parameters())
    tensors = [named["wte.weight"], named["wpe.weight"]]
    tensors += [named[f"blocks.{l}.{kind}"] for kind in kinds for l in range(L)]
    return tensors + [named["ln_f.weight"], named["ln_f.bias"]]


def write_floats(path, tensors):
    with open(path, "wb") as f:
        for t in tensors:
            f.write(t.detach().contiguous().numpy().astype("<f4").tobytes())


def lr_at(step):
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    ratio = (step - WARMUP) / (STEPS - WARMUP)
    return MIN_LR + (LR - MIN_LR) * 0.5 * (1 + math.cos(math.pi * ratio))


def main(out):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = GPT()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.randn_like(p) * 0.1 + (1.0 if name.endswith("ln_1.weight") or name.endswith("ln_2.weight")
                                                   or name == "ln_f.weight" else 0.0))
    idx = torch.randint(0, V, (B, T))
    targets = torch.randint(0, V, (B, T))
    targets[:, :3] = -1

    header = [20240326, 3, T, V, L, H, C, VP] + [0] * 248
    with open(f"{out}/model.bin", "wb") as f:
        f.write(struct.pack("<256i", *header))
        tensors = llmc_order(model)
        f.write(tensors[0].detach().numpy().astype("<f4").tobytes())
        f.write((torch.randn(VP - V, C) * 100).numpy().astype("<f4").tobytes())  # padding rows: garbage
        for t in tensors[1:]:
            f.write(t.detach().contiguous().numpy().astype("<f4").tobytes())
    idx.numpy().astype("<i4").tofile(f"{out}/tokens.i32")
    targets.numpy().astype("<i4").tofile(f"{out}/targets.i32")

    logits, loss = model(idx, targets)
    loss.backward()
    write_floats(f"{out}/logits.f32", [logits])
    write_floats(f"{out}/loss.f32", [loss.reshape(1)])
    write_floats(f"{out}/grads.f32", [t.grad for t in llmc_order(model)])

    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=LR, betas=BETAS, eps=EPS)
    losses = []
    for step in range(STEPS):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step)
        optimizer.zero_grad()
        _, loss = model(idx, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        losses.append(loss.detach().reshape(1))
    write_floats(f"{out}/adamw_losses.f32", losses)


if __name__ == "__main__":
    main(sys.argv[1])
