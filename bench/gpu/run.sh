#!/usr/bin/env bash
# Publishes the benchmark self-contained for linux-x64 and runs its GPU table on the first NVIDIA GPU:
# ILGPU kernels (NT-Xent forward + backward) at 16,384 and 65,536 rows, D = 128, against PyTorch eager on the
# same GPU when python3 with torch is present. Needs only the .NET 10 SDK here; the GPU machine needs the
# NVIDIA driver (libcuda.so), not .NET. Usage: bench/gpu/run.sh [publish-dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-artifacts/bench-gpu}"
dotnet publish bench/LossDsl.Bench.csproj -c Release -r linux-x64 --self-contained true -o "$out"
mkdir -p "$out/gpu"
cp bench/gpu/ntxent_eager.py "$out/gpu/"
"$out/LossDsl.Bench" gpu
