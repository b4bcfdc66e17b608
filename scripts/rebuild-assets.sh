#!/usr/bin/env bash
# Rebuild everything the repository ships from MNIST, with the committed code and fixed seeds:
# the training run (all models), the data-analysis report, and the shipped int8 model.
#   scripts/rebuild-assets.sh [path/to/mnist.npz]      (default: ../shared/data/mnist.npz)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-${DIGITS_MNIST:-../shared/data/mnist.npz}}
.venv/bin/digits-train run --data "$DATA" --out runs/full
.venv/bin/digits-train report --data "$DATA" --out reports --run runs/full
cp runs/full/comparison.md runs/full/metrics.json runs/full/environment.json reports/
.venv/bin/digits-convert runs/full --data "$DATA" --out assets
