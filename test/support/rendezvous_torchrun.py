#!/usr/bin/python3
"""Stands in for the image's `torchrun` in test/rendezvous.test.ts: Debian's torch 1.13 on Python 3.11 crashes in
Std.from_str (an IntFlag's zero member is no longer iterated), so patch it, then run torchrun's own main() with the
arguments the synthesized command passed, unchanged."""
import re
import sys

import torch.distributed.elastic.multiprocessing.api as api
import torch.distributed.run as run


def _from_str(vm):
    if re.fullmatch(r"[0-3]", vm):
        return api.Std(int(vm))
    if re.fullmatch(r"(\d:[0-3],)*\d:[0-3]", vm):
        return {int(i): api.Std(int(v)) for i, v in (m.split(":") for m in vm.split(","))}
    raise ValueError(f"{vm} does not match the redirects/tee format")


api.Std.from_str = staticmethod(_from_str)

if __name__ == "__main__":
    sys.exit(run.main())
