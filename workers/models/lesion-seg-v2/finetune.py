"""Build lesion-seg-v2: continue training the committed lesion-seg-v1 network on fresh phantoms and export it.

lesion-seg-v1 stopped undertrained (1300 steps of batch 2, loss still falling; README there). On two shared CPU
cores, a from-scratch run of the (2+1)D network in train.py learnt no faster per step than v1 had (it drew the same
size-prior blob around the click after 576 steps; README here), so v2 spends its compute where it pays most: more
steps for the v1 network, starting from v1's weights rather than from zero.

Usage (from the repository root; CPU only):
    nice -n 19 /usr/bin/python3 workers/models/lesion-seg-v2/finetune.py --out /tmp/v2ft
    nice -n 19 /usr/bin/python3 workers/models/lesion-seg-v2/finetune.py --steps 5 --out /tmp/try   # smoke run
Starts from workers/models/lesion-seg-v1/model.onnx (its sha256 checked against v1's card; ONNX initialisers keep
the torch parameter names), trains with v1's network, loss, phantom generator (lesion-seg-v1/phantoms.py) and
patch mix on a new seed, and writes <out>/model.onnx and <out>/model-card.json. Every --checkpoint-minutes it
writes a resumable <out>/checkpoint.pt and the export so far (--resume continues). Seeded: the same seed, steps,
thread count and library versions give the same weights.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import os
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
V1 = os.path.join(HERE, "..", "lesion-seg-v1")
MODEL_ID = "lesion-seg-v2"
VERSION = "2.0.0"


def load_v1():
    """v1's training module (network, batch sampler, loss, phantoms) and its committed weights."""
    spec = importlib.util.spec_from_file_location("lesion_seg_v1_train", os.path.join(V1, "train.py"))
    base = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(base)
    card = json.load(open(os.path.join(V1, "model-card.json")))
    raw = open(os.path.join(V1, card["file"]), "rb").read()
    if hashlib.sha256(raw).hexdigest() != card["sha256"]:
        raise SystemExit("lesion-seg-v1/model.onnx does not match its card's sha256")
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in onnx.load_from_string(raw).graph.initializer}
    return base, card, weights


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=700)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20240603)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--checkpoint-minutes", type=float, default=5.0)
    ap.add_argument("--resume", action="store_true")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    base, v1card, weights = load_v1()
    model = base.PromptUNet()
    model.load_state_dict(weights, strict=True)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    warm, first, spent = 20, 0, 0.0
    ckpt = os.path.join(args.out, "checkpoint.pt")
    if args.resume and os.path.exists(ckpt):
        ck = torch.load(ckpt)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        rng.bit_generator.state = ck["rng"]
        torch.set_rng_state(ck["torch_rng"])
        first, spent = ck["step"], ck["seconds"]
        print(f"resumed at step {first}", flush=True)

    def lr_at(step: int) -> float:
        if step < warm:
            return args.lr * (step + 1) / warm
        t = (step - warm) / max(1, args.steps - warm)
        return 5e-5 + 0.5 * (args.lr - 5e-5) * (1 + math.cos(math.pi * t))

    t0 = time.time() - spent
    last = time.time()
    running = None
    for step in range(first, args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, y = base.batch(rng, args.batch)
        model.train()
        opt.zero_grad()
        loss = base.loss_fn(model.logits(x), y)
        loss.backward()
        opt.step()
        running = float(loss) if running is None else 0.95 * running + 0.05 * float(loss)
        if step % 25 == 0 or step == args.steps - 1:
            print(f"step {step} loss {running:.4f} n={x.shape[-1]} {time.time() - t0:.0f}s", flush=True)
        if time.time() - last > args.checkpoint_minutes * 60 and step + 1 < args.steps:
            os.makedirs(args.out, exist_ok=True)
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "rng": rng.bit_generator.state,
                        "torch_rng": torch.get_rng_state(), "step": step + 1, "seconds": time.time() - t0}, ckpt + ".tmp")
            os.replace(ckpt + ".tmp", ckpt)
            write(model, base, v1card, args, warm, t0, step + 1)
            last = time.time()
    write(model, base, v1card, args, warm, t0, args.steps)


def write(model, base, v1card, args, warm, t0, stopped_at):
    model.eval()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "model.onnx")
    torch.onnx.export(
        model, torch.zeros(1, 3, base.VOI, base.VOI, base.VOI), path, input_names=["input"], output_names=["output"],
        opset_version=13, dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=True,
    )
    sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
    card = json.loads(json.dumps(v1card))  # same input geometry, encoding and output as v1
    card.update({"id": MODEL_ID, "version": VERSION, "sha256": sha,
                 "licence": "UNLICENSED (Corelab; trained only on synthetic phantoms generated by lesion-seg-v1/phantoms.py)"})
    nparams = sum(p.numel() for p in model.parameters())
    card["method"] = {
        "architecture": f"lesion-seg-v1's 4-level 3D U-Net (8-16-32-48 channels, instance norm, leaky ReLU), {nparams} parameters",
        "initialisation": f"lesion-seg-v1 weights (model.onnx sha256 {v1card['sha256']})",
        "trainingData": v1card["method"]["trainingData"] + "; new seed",
        "script": "finetune.py",
        "generator": "../lesion-seg-v1/phantoms.py",
        "seed": args.seed,
        "steps": args.steps,
        "stoppedAtStep": stopped_at,
        "batch": args.batch,
        "loss": "binary cross-entropy + soft Dice",
        "optimiser": f"Adam, lr {args.lr} cosine to 5e-5, {warm} warm-up steps",
        "threads": args.threads,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "trainingSeconds": round(time.time() - t0),
        "totalStepsIncludingV1": v1card["method"]["steps"] + stopped_at,
    }
    with open(os.path.join(args.out, "model-card.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    print("wrote", path, sha, flush=True)


if __name__ == "__main__":
    main()
