"""Which front end runs the kernel: Jupyter (Lab, Notebook 7, VS Code…), marimo or Voila."""

from __future__ import annotations

import os
import sys


def current_host() -> str:
    """``"marimo"``, ``"voila"`` or ``"jupyter"`` (any other front end of a Jupyter kernel).

    marimo is recognised from its running notebook context, Voila from the environment
    variables it gives its kernels.
    """
    marimo = sys.modules.get("marimo")
    if marimo is not None:
        try:
            if marimo.running_in_notebook():
                return "marimo"
        except Exception:  # noqa: BLE001 - an older marimo without the call: not its notebook
            pass
    if "VOILA_KERNEL_ID" in os.environ or "VOILA_SERVER_URL" in os.environ:
        return "voila"
    return "jupyter"
