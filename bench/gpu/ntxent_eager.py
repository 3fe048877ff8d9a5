# NT-Xent forward + backward in PyTorch eager on the first CUDA device (float32, TF32 off: the ILGPU kernels
# compute in float32); prints "seconds, peak GiB" of the second step (or exits non-zero).
import sys, time
import torch
import torch.nn.functional as F

n, d = int(sys.argv[1]), int(sys.argv[2])
if not torch.cuda.is_available():
    sys.exit(3)
dev = torch.device("cuda:0")
torch.backends.cuda.matmul.allow_tf32 = False
def step(z, y, tau=0.1):
    zn = F.normalize(z, dim=1)
    s = zn @ zn.t() / tau
    same = y[:, None] == y[None, :]
    lse = s.masked_fill(same, float("-inf")).logsumexp(1)
    partner = torch.cat([torch.arange(n // 2, n), torch.arange(0, n // 2)]).to(dev)
    pos = s.gather(1, partner[:, None]).squeeze(1)
    loss = F.softplus(lse - pos).mean()
    loss.backward()
    return loss
y = torch.cat([torch.arange(n // 2), torch.arange(n // 2)]).to(dev)
z = torch.randn(n, d, device=dev, requires_grad=True)
try:
    step(z, y); torch.cuda.synchronize()
    z.grad = None
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    t = time.perf_counter(); step(z, y); torch.cuda.synchronize()
    peak = (torch.cuda.max_memory_allocated() - base) / 2**30
    print(f"{time.perf_counter() - t:.3f} s, +{peak:.1f} GiB")
except RuntimeError as e:  # out of memory at 65,536 rows (one 16 GiB matrix and its temporaries)
    print("OOM" if "out of memory" in str(e) else "failed")
