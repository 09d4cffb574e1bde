#!/usr/bin/env bash
# GPU serving check, for a machine with an NVIDIA GPU (CUDA 12) and network access to PyPI:
# installs the `gpu` extra, exports the shipped default voice to ONNX, then runs the server
# bench (scripts/bench_server.py) with onnxruntime's CUDA provider and with the CPU.
#
#   bash scripts/gpu_check.sh [OUT_DIR]      # figures land in OUT_DIR (default gpu-check/)
#
# Untested until a session with a GPU runs it: see docs/serving.md ("GPU").
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-gpu-check}"
mkdir -p "$out"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

# onnxruntime-gpu and the CPU wheel install the same module; keep only the GPU one.
python -m pip uninstall -q -y onnxruntime || true
python -m pip install -q "onnxruntime-gpu>=1.20"
python - <<'PY'
import onnxruntime as ort
providers = ort.get_available_providers()
print("onnxruntime", ort.__version__, "providers:", providers)
assert "CUDAExecutionProvider" in providers, "no CUDA provider: check the driver and CUDA 12"
PY
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"

voice="$out/default-onnx"
[ -f "$voice/voice.json" ] || python -m emotts.cli export --voice emotts/voices/default --out "$voice"

for device in cuda cpu; do
  python scripts/bench_server.py --voice "$voice" --backend onnx --device "$device" \
    --configs 1x1,2x1 --requests 40 --concurrency 8 | tee "$out/server-$device.txt"
done
echo "figures written to $out/"
