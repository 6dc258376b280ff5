#!/usr/bin/env bash
# The GPU check (python -m benchmarks.gpu), prepared for a bare GPU machine that has Python 3.12,
# CuPy and PyTorch but no spaCy and no network. Two steps:
#
#   bash benchmarks/gpu_check.sh bundle  # here, after benchmarks.ner has prepared its work folder:
#                                        # spaCy and its dependencies as Python 3.12 wheels in
#                                        # .whl/ (~57 MB), corpus + GloVe 6B 50d cut to its first
#                                        # 20,000 rows in gpu_bundle/ (~5 MB); both git-ignored
#   bash benchmarks/gpu_check.sh run     # there, with .whl and gpu_bundle carried: installs them
#                                        # under /tmp/site, trains --steps on CPU and GPU, and
#                                        # writes gpu.md/gpu.json to $OUT (or benchmarks/results)
#
# STEPS (default 300) sets the steps per leg. The vectors are cut to keep the carried tree under
# 64 MiB: the check measures speed and agreement, not accuracy.
set -euo pipefail
cd "$(dirname "$0")/.."

# Installed here and missing there; versions are taken from this environment.
PACKAGES="spacy thinc blis cymem preshed murmurhash srsly wasabi catalogue confection weasel
spacy-legacy spacy-loggers pydantic pydantic_core annotated-types typing-inspection cloudpathlib
smart_open"

case "${1:-}" in
bundle)
  work=benchmarks/work
  for need in "$work/corpus/train.spacy" "$work/glove.6B.50d.txt"; do
    [ -e "$need" ] || { echo "$need missing: run python -m benchmarks.ner --systems none --ablations none first" >&2; exit 1; }
  done
  pins=$(python - $PACKAGES <<'PY'
import sys
from importlib.metadata import version
print(" ".join(f"{name}=={version(name)}" for name in sys.argv[1:]))
PY
)
  rm -rf .whl gpu_bundle
  python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d .whl $pins
  mkdir -p gpu_bundle
  cp -r "$work/corpus" gpu_bundle/corpus
  python -m spacy_glove_bilstm init-vectors "$work/glove.6B.50d.txt" gpu_bundle/vectors \
    --limit 20000 --no-progress
  du -sh .whl gpu_bundle
  ;;
run)
  [ -d .whl ] && [ -d gpu_bundle ] || { echo "carry .whl and gpu_bundle (bash benchmarks/gpu_check.sh bundle)" >&2; exit 1; }
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site
  python3 -m pip install -q --no-index --no-deps --no-build-isolation --no-compile \
    --target /tmp/site .
  nvidia-smi -L || true
  results="${OUT:-benchmarks/results}"
  PYTHONUNBUFFERED=1 python3 -m benchmarks.gpu --steps "${STEPS:-300}" \
    --corpus gpu_bundle/corpus --vectors gpu_bundle/vectors --output /tmp/gpu_runs \
    --markdown "$results/gpu.md" --json "$results/gpu.json"
  ;;
*)
  echo "usage: bash benchmarks/gpu_check.sh bundle|run" >&2
  exit 2
  ;;
esac
