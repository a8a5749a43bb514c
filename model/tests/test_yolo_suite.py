"""YOLO loader (generated tree, both yaml forms), the far-view mosaics and the suite on the tiny model."""
import json
import os

import numpy as np
import pytest
from PIL import Image


def _yolo_tree(root, names_yaml, layout):
    if layout == "dir":
        img_dir, lbl_dir, yaml_at = root / "split" / "images", root / "split" / "labels", root
    else:
        img_dir, lbl_dir, yaml_at = root / "images" / "val", root / "labels" / "val", root
    img_dir.mkdir(parents=True)
    lbl_dir.mkdir(parents=True)
    (yaml_at / "data.yaml").write_text(names_yaml)
    Image.new("RGB", (200, 100)).save(img_dir / "a.jpg")
    Image.new("RGB", (200, 100)).save(img_dir / "b.png")
    Image.new("RGB", (200, 100)).save(img_dir / "c.jpg")
    # a: one person + one car, no trailing newline; b: only a car (a negative for person); c: no label file
    (lbl_dir / "a.txt").write_text("1 0.5 0.5 0.2 0.4\n0 0.25 0.5 0.1 0.8")
    (lbl_dir / "b.txt").write_text("1 0.5 0.5 0.2 0.2\n")
    return (root / "split") if layout == "dir" else img_dir


@pytest.mark.parametrize("names_yaml,layout,a_box,b_boxes", [
    ("names:\n- person\n- car\nnc: 2\n", "dir", [40, 10, 60, 90], 0),          # list form, person = 0
    ("names:\n  0: car\n  1: person\n", "ultralytics", [80, 30, 120, 70], 1)])  # map form, person = 1
def test_yolo_split_reads_one_class_and_keeps_negatives(tmp_path, names_yaml, layout, a_box, b_boxes):
    from lookout_model.datasets import yolo_split
    split = _yolo_tree(tmp_path, names_yaml, layout)
    person = yolo_split(str(split), "person")
    assert [os.path.basename(s["path"]) for s in person] == ["a.jpg", "b.png", "c.jpg"]
    assert [len(s["boxes"]) for s in person] == [1, b_boxes, 0]   # c has no label file: a negative
    np.testing.assert_allclose(person[0]["boxes"][0], a_box, atol=1e-4)
    with pytest.raises(ValueError):
        yolo_split(str(split), "dog")


def test_yolo_on_shared_data():
    from lookout_model import datasets as ds
    try:
        ds.data_root()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    t = ds.yolo_split("person-mix/test")
    assert (len(t), sum(len(s["boxes"]) for s in t)) == (1101, 1600)
    v = ds.yolo_split("coco128/images/val2017")
    assert (len(v), sum(len(s["boxes"]) for s in v), sum(len(s["boxes"]) == 0 for s in v)) == (128, 350, 55)


def test_far_view_people_are_small_and_deterministic():
    from lookout_model import datasets as ds
    try:
        ds.data_root()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    from lookout_model.suite import far_view
    a, b = far_view(4), far_view(4)
    assert all(np.array_equal(x["boxes"], y["boxes"]) for x, y in zip(a, b))
    h = np.concatenate([s["boxes"][:, 3] - s["boxes"][:, 1] for s in a])
    assert a[0]["image"].shape == (3, 576, 768)
    assert h.min() >= 25 and h.max() <= 91


def test_suite_scores_tiny_model_beside_teacher(tiny_artifact, tmp_path):
    from conftest import CENTERNET_DIR, need_centernet
    from lookout_model import datasets as ds
    try:
        ds.data_root()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    need_centernet()
    from lookout_model.suite import SETS, main
    out = tmp_path / "suite.json"
    main(["--model", tiny_artifact, "--centernet", CENTERNET_DIR, "--every", "40", "--json", str(out)])
    r = json.loads(out.read_text())
    name = os.path.basename(tiny_artifact)
    for s in SETS:
        assert r[s]["images"] > 0 and 0.0 <= r[s]["teacher"]["ap50"] <= 1.0 and 0.0 <= r[s][name]["ap50"] <= 1.0
    # the COCO teacher finds people; a random-init model does not: the suite tells them apart
    assert r["minimum"]["teacher"]["ap50"] > r["minimum"][name]["ap50"] + 0.2
    assert r["msPerFrame768x576"]["teacher"] > 0
