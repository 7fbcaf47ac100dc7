"""Replaces the training module in test/rendezvous.test.ts: joins the process group torchrun prepared (env://, gloo
on the CPU), all-reduces its rank and checks every rank agrees on the sum 0 + 1 + ... + (world - 1)."""
import datetime
import json
import os
import sys

import torch
import torch.distributed as dist

timeout = datetime.timedelta(seconds=int(os.environ.get("PROCESS_GROUP_TIMEOUT_SECONDS", "600")))
dist.init_process_group("gloo", timeout=timeout)
rank, world = dist.get_rank(), dist.get_world_size()
t = torch.tensor([float(rank)])
dist.all_reduce(t)
expected = world * (world - 1) // 2
assert int(t.item()) == expected, f"rank {rank}: all_reduce gave {t.item()}, expected {expected}"
report = (f"ALLREDUCE rank={rank} world={world} node={os.environ.get('GROUP_RANK')} local={os.environ.get('LOCAL_RANK')} "
          f"sum={int(t.item())} args={sys.argv[1:]}")
print(report, flush=True)
# Also to a file of its own: several ranks share one stdout pipe, which the test may not read to the end.
with open(os.path.join(os.environ.get("ALLREDUCE_REPORT_DIR", "."), f"allreduce-{rank}.txt"), "w") as f:
    f.write(report + "\n")
# The env this rank ran with (after torchrun), so the test can show what a profile's env reached.
with open(os.path.join(os.environ.get("ALLREDUCE_REPORT_DIR", "."), f"env-{rank}.json"), "w") as f:
    json.dump(dict(os.environ), f)
dist.barrier()
dist.destroy_process_group()
