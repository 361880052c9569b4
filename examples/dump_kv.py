#!/usr/bin/env python3
"""Dump q, k, v of one layer and one KV head of a Hugging Face causal LM for `kvhdl golden|cosim attention`.

Runs the model once over a prompt and writes, into --out-dir:

  q.npy      float16 [rows, D]  the query heads of the GQA group of --kv-head (rows = num_attention_heads /
                                num_key_value_heads), at the last position, after RoPE (and q_norm, if the model has one)
  k.npy      float16 [n, D]     the layer's cached keys of that KV head (past_key_values: after RoPE, as KIVI quantizes them)
  v.npy      float16 [n, D]     the cached values of that KV head
  rows.json  {"layers": [...], "heads": [...]}: the layer and the query head index of each row (pass it with
             --meta only if your thresholds.json has that many layers and heads)
  dump.json  what was dumped (model, layer, KV head, query heads, n, D, scaling), a config for the attention unit
             (dense, this D; maxKeys = n when n > 4096) and the kvhdl command that runs it

With --format bf16 the three arrays are uint16 bfloat16 bit patterns instead (kvhdl's bf16 convention).
n is the prompt length in tokens (--max-tokens truncates). Needs torch and transformers (and numpy);
`--help` works without them. Example:

  python3 examples/dump_kv.py --model Qwen/Qwen2.5-0.5B --prompt "The KV cache of a transformer" \
      --layer 12 --kv-head 0 --out-dir kv/
  echo '{"dims": 64, "selection": "none"}' > attn.json
  npx kvhdl golden attention --config attn.json --q kv/q.npy --k kv/k.npy --v kv/v.npy --out-dir run/

The engine computes softmax(q.k / sqrt(D)); a model whose attention scale is not 1/sqrt(D) (e.g. Gemma's
query_pre_attn_scalar) gets a warning, and --fold-scaling multiplies q by scale * sqrt(D) so that the
engine's 1/sqrt(D) gives the model's scale. Logit soft-capping, sliding windows and ALiBi are not modelled.
"""
import argparse
import json
import os
import sys

PROG = "dump_kv.py"


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Dump q, k, v of one layer and one KV head of a Hugging Face causal LM into q.npy, k.npy, "
        "v.npy for `kvhdl golden|cosim attention` (gen/attention/README.md).",
    )
    p.add_argument("--model", required=True, help="Hugging Face model id or local directory (AutoModelForCausalLM)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--prompt", help="the prompt text")
    src.add_argument("--text-file", help="a UTF-8 file whose text is the prompt")
    p.add_argument("--layer", type=int, required=True, help="decoder layer index (0-based)")
    p.add_argument("--kv-head", type=int, default=0, help="KV head index (0-based; default 0)")
    p.add_argument("--out-dir", required=True, help="directory for q.npy, k.npy, v.npy, rows.json, dump.json (created if missing)")
    p.add_argument("--max-tokens", type=int, default=None, help="keep only the first N prompt tokens (n = N)")
    p.add_argument("--format", choices=["fp16", "bf16"], default="fp16", help="fp16 (float16 .npy) or bf16 (uint16 bit patterns); default fp16")
    p.add_argument("--dtype", choices=["float16", "bfloat16", "float32"], default=None, help="dtype the model runs in (default: that of --format)")
    p.add_argument("--device", default="cpu", help="torch device (default cpu)")
    p.add_argument("--revision", default=None, help="model revision (branch, tag or commit)")
    p.add_argument("--trust-remote-code", action="store_true", help="allow the model's own code (transformers' trust_remote_code)")
    p.add_argument("--fold-scaling", action="store_true", help="multiply q by the model's attention scale * sqrt(D) (for models whose scale is not 1/sqrt(D))")
    a = p.parse_args(argv)
    if a.layer < 0:
        p.error(f"--layer must be >= 0, got {a.layer}")
    if a.kv_head < 0:
        p.error(f"--kv-head must be >= 0, got {a.kv_head}")
    if a.max_tokens is not None and a.max_tokens < 1:
        p.error(f"--max-tokens must be >= 1, got {a.max_tokens}")
    return a


def fail(msg):
    """One line on stderr, exit code 2 (kvhdl's convention for bad usage and bad inputs)."""
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(2)


def group_heads(num_heads, num_kv_heads, kv_head):
    """Query heads that attend to KV head `kv_head` (transformers' repeat_kv: head h uses KV head h // group)."""
    if num_kv_heads < 1 or num_heads % num_kv_heads != 0:
        raise ValueError(f"num_attention_heads {num_heads} is not a multiple of num_key_value_heads {num_kv_heads}")
    if not 0 <= kv_head < num_kv_heads:
        raise ValueError(f"--kv-head {kv_head} is out of range (the model has {num_kv_heads} KV heads)")
    g = num_heads // num_kv_heads
    return list(range(kv_head * g, (kv_head + 1) * g))


def to_format(np, x, fmt):
    """float32 array -> float16 (round to nearest even) or bf16 bit patterns as uint16 (round to nearest even)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    if fmt == "fp16":
        return x.astype(np.float16)
    bits = x.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    nan = np.isnan(x)
    out = rounded.astype(np.uint16)
    out[nan] = ((bits[nan] >> 16) | 0x40).astype(np.uint16)  # keep NaN a (quiet) NaN
    return out


def write_outputs(out_dir, q, k, v, fmt, layer, heads, info):
    """Writes q.npy [rows, D], k.npy and v.npy [n, D] in `fmt`, rows.json and dump.json. q, k, v: float32 arrays."""
    import numpy as np

    q = np.asarray(q, dtype=np.float32)
    k = np.asarray(k, dtype=np.float32)
    v = np.asarray(v, dtype=np.float32)
    if q.ndim != 2 or k.ndim != 2 or v.ndim != 2 or k.shape != v.shape or q.shape[1] != k.shape[1]:
        raise ValueError(f"shapes q {q.shape}, k {k.shape}, v {v.shape}: expected [rows, D], [n, D], [n, D]")
    if len(heads) != q.shape[0]:
        raise ValueError(f"{len(heads)} head indices for {q.shape[0]} query rows")
    for name, a in (("q", q), ("k", k), ("v", v)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} has non-finite values (the attention unit needs finite inputs)")
    os.makedirs(out_dir, exist_ok=True)
    for name, a in (("q", q), ("k", k), ("v", v)):
        np.save(os.path.join(out_dir, f"{name}.npy"), to_format(np, a, fmt))
    with open(os.path.join(out_dir, "rows.json"), "w") as f:
        json.dump({"layers": [layer] * len(heads), "heads": list(heads)}, f)
        f.write("\n")
    n, d = k.shape
    cfg = {"format": fmt, "dims": d, "selection": "none"}
    if n > 4096:  # the defaults hold n <= 4096 (maxKeys, rowBuckets)
        cfg.update({"maxKeys": n, "rowBuckets": [n]})
    command = (
        f"echo '{json.dumps(cfg)}' > attn.json && npx kvhdl golden attention --config attn.json "
        f"--q {os.path.join(out_dir, 'q.npy')} --k {os.path.join(out_dir, 'k.npy')} --v {os.path.join(out_dir, 'v.npy')} --out-dir run"
    )
    with open(os.path.join(out_dir, "dump.json"), "w") as f:
        json.dump({**info, "layer": layer, "queryHeads": list(heads), "rows": len(heads), "n": n, "dims": d, "format": fmt, "config": cfg, "command": command}, f, indent=2)
        f.write("\n")
    return command


def decoder_layers(model):
    """The decoder layers of a Llama-style model (model.model.layers); others are refused with one line."""
    for path in ("model.layers", "model.language_model.layers", "language_model.model.layers"):
        obj = model
        for part in path.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is not None:
            return obj
    fail(f"{type(model).__name__}: no decoder layers at model.layers (this script supports Llama-style models: Llama, Mistral, Qwen2/3, Gemma, Phi-3, ...)")


def layer_kv(pkv, layer):
    """(keys, values) [batch, kv_heads, n, D] of one layer from past_key_values (Cache object or legacy tuples)."""
    if hasattr(pkv, "layers") and len(getattr(pkv, "layers")) > layer and hasattr(pkv.layers[layer], "keys"):
        return pkv.layers[layer].keys, pkv.layers[layer].values
    if hasattr(pkv, "key_cache"):
        return pkv.key_cache[layer], pkv.value_cache[layer]
    return pkv[layer][0], pkv[layer][1]


def rope(torch, attn, x, cos, sin):
    """RoPE of x [1, H, 1, D] with the model module's apply_rotary_pos_emb (partial rotary included), else rotate_half."""
    mod = sys.modules.get(type(attn).__module__)
    fn = getattr(mod, "apply_rotary_pos_emb", None)
    if fn is not None:
        try:
            return fn(x, x, cos, sin)[0]
        except TypeError:
            pass
    c, s = cos.unsqueeze(1), sin.unsqueeze(1)
    half = x.shape[-1] // 2
    rot = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * c + rot * s


def project(torch, attn, proj, norm, hs, heads, d, cos, sin):
    """proj(hs) at one position -> [1, heads, 1, D], normed (q_norm/k_norm) and rotated."""
    x = proj(hs).view(1, 1, heads, d)
    if norm is not None:
        x = norm(x)
    return rope(torch, attn, x.transpose(1, 2), cos, sin)


def main(argv=None):
    a = parse_args(argv)
    try:
        import numpy  # noqa: F401
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as e:
        fail(f"needs torch, transformers and numpy ({e.name} is missing): pip install torch transformers numpy")
    if a.text_file is not None:
        try:
            with open(a.text_file, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            fail(f"--text-file {a.text_file}: {e.strerror}")
    else:
        text = a.prompt
    dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}[a.dtype or ("float16" if a.format == "fp16" else "bfloat16")]
    tok = AutoTokenizer.from_pretrained(a.model, revision=a.revision, trust_remote_code=a.trust_remote_code)
    model = AutoModelForCausalLM.from_pretrained(a.model, revision=a.revision, torch_dtype=dtype, trust_remote_code=a.trust_remote_code).to(a.device).eval()
    ids = tok(text, return_tensors="pt").input_ids
    if a.max_tokens is not None:
        ids = ids[:, : a.max_tokens]
    if ids.shape[1] == 0:
        fail("the prompt has no tokens")
    cfg = getattr(model.config, "text_config", model.config)
    heads = cfg.num_attention_heads
    kv_heads = getattr(cfg, "num_key_value_heads", None) or heads
    layers = decoder_layers(model)
    if not 0 <= a.layer < len(layers):
        fail(f"--layer {a.layer} is out of range (the model has {len(layers)} layers)")
    try:
        group = group_heads(heads, kv_heads, a.kv_head)
    except ValueError as e:
        fail(str(e))
    attn = layers[a.layer].self_attn
    d = getattr(attn, "head_dim", None) or getattr(cfg, "head_dim", None) or cfg.hidden_size // heads
    captured = {}

    def pre_hook(_module, args, kwargs):
        hs = kwargs.get("hidden_states", args[0] if args else None)
        captured["hs"] = hs.detach()
        captured["pe"] = kwargs.get("position_embeddings")
        captured["pos"] = kwargs.get("position_ids")

    handle = attn.register_forward_pre_hook(pre_hook, with_kwargs=True)
    try:
        with torch.no_grad():
            out = model(ids.to(a.device), use_cache=True)
    finally:
        handle.remove()
    if "hs" not in captured:
        fail(f"layer {a.layer}'s self_attn was not called")
    keys, values = layer_kv(out.past_key_values, a.layer)
    k = keys[0, a.kv_head].float()
    v = values[0, a.kv_head].float()
    with torch.no_grad():
        hs = captured["hs"][:, -1:, :]
        if captured["pe"] is not None:
            cos, sin = captured["pe"]
        else:  # transformers before 4.45: the layer's own rotary embedding
            pos = captured["pos"] if captured["pos"] is not None else torch.arange(ids.shape[1], device=hs.device)[None]
            cos, sin = attn.rotary_emb(captured["hs"], pos)
        cos, sin = cos[:, -1:], sin[:, -1:]
        q = project(torch, attn, attn.q_proj, getattr(attn, "q_norm", None), hs, heads, d, cos, sin)[0, group, 0].float()
        # Check the reconstruction: the same path for the key at the last position must give the cached key.
        k_last = project(torch, attn, attn.k_proj, getattr(attn, "k_norm", None), hs, kv_heads, d, cos, sin)[0, a.kv_head, 0].float()
    err = (k_last - k[-1]).abs().max().item()
    scale = k[-1].abs().max().item() or 1.0
    if err > 1e-2 * scale:
        print(f"{PROG}: warning: the recomputed last key differs from the cached one by {err:.3g} (of {scale:.3g}): q may not match this model's attention", file=sys.stderr)
    scaling = getattr(attn, "scaling", d**-0.5)
    if abs(scaling * d**0.5 - 1) > 1e-6:
        if a.fold_scaling:
            q = q * (scaling * d**0.5)
        else:
            print(f"{PROG}: warning: the model's attention scale is {scaling:.6g}, not 1/sqrt({d}); pass --fold-scaling to fold it into q", file=sys.stderr)
    info = {"model": a.model, "revision": a.revision, "kvHead": a.kv_head, "numHeads": heads, "numKvHeads": kv_heads, "scaling": scaling, "foldScaling": a.fold_scaling, "lastKeyCheck": err}
    try:
        command = write_outputs(a.out_dir, q.cpu().numpy(), k.cpu().numpy(), v.cpu().numpy(), a.format, a.layer, group, info)
    except (ValueError, OSError) as e:
        fail(str(e))
    print(f"{PROG}: layer {a.layer}, KV head {a.kv_head} (query heads {group[0]}..{group[-1]}): q [{len(group)}, {d}], k and v [{k.shape[0]}, {d}] -> {a.out_dir}")
    print(f"next: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
