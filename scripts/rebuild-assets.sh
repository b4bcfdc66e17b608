#!/usr/bin/env bash
# Rebuild everything the repository ships from MNIST, with the committed code and fixed seeds:
# the comparison run (the study's three models and ours), the product model's run, the
# data-analysis report, and the shipped int8 model.
#   scripts/rebuild-assets.sh [path/to/mnist.npz]      (default: ../shared/data/mnist.npz)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-${DIGITS_MNIST:-../shared/data/mnist.npz}}
.venv/bin/digits-train run --data "$DATA" --out runs/full
.venv/bin/digits-train run --data "$DATA" --out runs/product --models compact_cnn_w17
.venv/bin/digits-train report --data "$DATA" --out reports --run runs/full --run runs/product
cp runs/full/metrics.json reports/metrics-full.json
cp runs/product/metrics.json reports/metrics-product.json
cp runs/full/environment.json reports/environment.json
.venv/bin/digits-convert runs/product --comparison runs/full --data "$DATA" --out assets
