#!/usr/bin/env bash
# The GPU benchmark (bench/gpu/GpuBench.cs): publishes it self-contained for linux-x64 and runs it on the first
# NVIDIA GPU: a check of the ILGPU CUDA kernels against the CPU engine, then one table (ILGPU NT-Xent forward +
# backward at 16,384 and 65,536 rows, D = 128, against PyTorch eager on the same GPU when python3 with torch is
# present). The GPU machine needs the NVIDIA driver (libcuda.so), not .NET.
#   bench/gpu/run.sh                    publish here and run here
#   bench/gpu/run.sh --publish DIR      only publish (to carry DIR to a GPU machine: DIR/LossDsl.GpuBench there)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=artifacts/bench-gpu
publish_only=0
if [ "${1:-}" = "--publish" ]; then publish_only=1; out="${2:-$out}"; fi
dotnet publish bench/gpu/LossDsl.GpuBench.csproj -c Release -r linux-x64 --self-contained true -o "$out" >&2
[ "$publish_only" = 1 ] && exit 0
"$out/LossDsl.GpuBench"
