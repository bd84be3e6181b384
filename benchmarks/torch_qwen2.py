"""The PyTorch side of benchmarks/native-vs-torch.ts: a Qwen2 model in plain torch ops (fp32, eager, as
HF transformers computes it: RMSNorm, rotate-half RoPE, grouped-query attention with repeated k/v, SwiGLU, tied
LM head), loaded from the same safetensors checkpoint softcot reads, driven over stdin/stdout.

Protocol: one JSON command per line on stdin, one JSON answer per line on stdout.
  {"op": "load", "dir": D, "threads": N}               -> {"params": P, "seconds": s, "torch": version, "blas": ...}
  {"op": "fwd16"}                                       -> {"seconds": s}   one forward, 16 tokens, every logit
  {"op": "decode_reset", "rows": R, "context": C}       -> {"seconds": s}   prefill R rows of C tokens (KV cache)
  {"op": "decode"}                                      -> {"seconds": s}   one KV-cached step for the R rows
  {"op": "train", "batch": B, "tokens": T}               -> {"seconds": s, "loss": l}   forward + loss + backward
  {"op": "profile", "what": "fwd16|decode|train"}       -> {"table": text}
The token ids are the same deterministic sequences the TypeScript side uses (ids()).
"""
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    """name -> fp32 tensor (F32, BF16 and F16 entries)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        raw = data[a:b]
        if e["dtype"] == "F32":
            arr = np.frombuffer(raw, dtype=np.float32)
        elif e["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
        elif e["dtype"] == "F16":
            arr = np.frombuffer(raw, dtype=np.float16).astype(np.float32)
        else:
            raise ValueError(f"{path}: tensor {name}: dtype {e['dtype']} not handled")
        out[name] = torch.from_numpy(arr.reshape(e["shape"]).copy())
    return out


def load_weights(d):
    index = os.path.join(d, "model.safetensors.index.json")
    files = sorted(set(json.load(open(index))["weight_map"].values())) if os.path.exists(index) else ["model.safetensors"]
    w = {}
    for f in files:
        w.update(read_safetensors(os.path.join(d, f)))
    return w


def ids(rows, length, offset=0):
    """The deterministic token ids both sides use: (i * 7919 + 13 + 101 * row + offset) mod 50000."""
    return torch.tensor([[(i * 7919 + 13 + 101 * r + offset) % 50000 for i in range(length)] for r in range(rows)], dtype=torch.long)


class Qwen2:
    def __init__(self, cfg, w):
        self.c = cfg
        self.w = {k: torch.nn.Parameter(v) for k, v in w.items()}
        self.L = cfg["num_hidden_layers"]
        self.H = cfg["num_attention_heads"]
        self.Hkv = cfg["num_key_value_heads"]
        self.D = cfg["hidden_size"] // self.H
        self.eps = cfg["rms_norm_eps"]
        theta = cfg.get("rope_theta", 10000.0)
        self.inv_freq = 1.0 / (theta ** (torch.arange(0, self.D, 2, dtype=torch.float32) / self.D))

    def params(self):
        return list(self.w.values())

    def rms(self, x, name):
        v = x.pow(2).mean(-1, keepdim=True)
        return x * torch.rsqrt(v + self.eps) * self.w[name]

    def rope(self, pos):
        f = pos[..., None].float() * self.inv_freq  # [B, T, D/2]
        emb = torch.cat([f, f], -1)
        return emb.cos()[:, None], emb.sin()[:, None]  # [B, 1, T, D]

    @staticmethod
    def rotate(x, cos, sin):
        x1, x2 = x.chunk(2, -1)
        return x * cos + torch.cat([-x2, x1], -1) * sin

    def lin(self, x, name, bias):
        return F.linear(x, self.w[name + ".weight"], self.w.get(name + ".bias") if bias else None)

    def forward(self, tokens, cache=None):
        """tokens [B, T] -> logits [B, T, V]; cache: a list of (k, v) per layer, extended in place."""
        B, T = tokens.shape
        past = 0 if cache is None or cache[0] is None else cache[0][0].shape[2]
        h = F.embedding(tokens, self.w["model.embed_tokens.weight"])
        pos = torch.arange(past, past + T)[None].expand(B, T)
        cos, sin = self.rope(pos)
        S = past + T
        mask = torch.full((T, S), float("-inf")).triu(past + 1) if T > 1 else None
        g = self.H // self.Hkv
        for i in range(self.L):
            p = f"model.layers.{i}"
            n = self.rms(h, f"{p}.input_layernorm.weight")
            q = self.lin(n, f"{p}.self_attn.q_proj", True).view(B, T, self.H, self.D).transpose(1, 2)
            k = self.lin(n, f"{p}.self_attn.k_proj", True).view(B, T, self.Hkv, self.D).transpose(1, 2)
            v = self.lin(n, f"{p}.self_attn.v_proj", True).view(B, T, self.Hkv, self.D).transpose(1, 2)
            q, k = self.rotate(q, cos, sin), self.rotate(k, cos, sin)
            if cache is not None:
                if cache[i] is not None:
                    k = torch.cat([cache[i][0], k], 2)
                    v = torch.cat([cache[i][1], v], 2)
                cache[i] = (k, v)
            k = k.repeat_interleave(g, 1)
            v = v.repeat_interleave(g, 1)
            s = q @ k.transpose(-1, -2) / math.sqrt(self.D)
            if mask is not None:
                s = s + mask
            a = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, self.H * self.D)
            h = h + self.lin(a, f"{p}.self_attn.o_proj", False)
            m = self.rms(h, f"{p}.post_attention_layernorm.weight")
            h = h + self.lin(F.silu(self.lin(m, f"{p}.mlp.gate_proj", False)) * self.lin(m, f"{p}.mlp.up_proj", False), f"{p}.mlp.down_proj", False)
        h = self.rms(h, "model.norm.weight")
        head = self.w["lm_head.weight"] if "lm_head.weight" in self.w else self.w["model.embed_tokens.weight"]
        return F.linear(h, head)


class Worker:
    def __init__(self):
        self.model = None
        self.cache = None
        self.rows = 0

    def load(self, cmd):
        torch.set_num_threads(int(cmd["threads"]))
        t = time.perf_counter()
        cfg = json.load(open(os.path.join(cmd["dir"], "config.json")))
        self.model = Qwen2(cfg, load_weights(cmd["dir"]))
        blas = torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0] if "BLAS_INFO=" in torch.__config__.show() else "?"
        return {"params": sum(p.numel() for p in self.model.params()), "seconds": time.perf_counter() - t,
                "torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas}

    def fwd16(self, cmd):
        with torch.no_grad():
            t = time.perf_counter()
            logits = self.model.forward(ids(1, 16))
            float(logits[0, -1, 0])
            return {"seconds": time.perf_counter() - t}

    def decode_reset(self, cmd):
        self.rows = int(cmd["rows"])
        self.cache = [None] * self.model.L
        with torch.no_grad():
            t = time.perf_counter()
            self.model.forward(ids(self.rows, int(cmd["context"])), self.cache)
            return {"seconds": time.perf_counter() - t}

    def decode(self, cmd):
        with torch.no_grad():
            past = self.cache[0][0].shape[2]
            t = time.perf_counter()
            logits = self.model.forward(ids(self.rows, 1, past), self.cache)
            nxt = logits[:, -1].argmax(-1)
            int(nxt[0])
            return {"seconds": time.perf_counter() - t}

    def train(self, cmd):
        B, T = int(cmd["batch"]), int(cmd["tokens"])
        x = ids(B, T)
        for p in self.model.params():
            p.grad = None
        t = time.perf_counter()
        logits = self.model.forward(x)
        V = logits.shape[-1]
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, V), x[:, 1:].reshape(-1))
        loss.backward()
        s = time.perf_counter() - t
        for p in self.model.params():
            p.grad = None
        return {"seconds": s, "loss": float(loss)}

    def profile(self, cmd):
        from torch.profiler import ProfilerActivity, profile
        what = cmd["what"]
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            if what == "fwd16":
                self.fwd16(cmd)
            elif what == "decode":
                self.decode(cmd)
            else:
                self.train({"batch": cmd.get("batch", 8), "tokens": cmd.get("tokens", 128)})
        return {"table": prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12)}


def main():
    w = Worker()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = json.loads(line)
        try:
            out = getattr(w, cmd["op"])(cmd)
        except Exception as e:  # the driver prints it and stops
            out = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
