"""Dataset loaders (real data, skipped when absent) and the AP evaluator."""
import numpy as np
import pytest

from lookout_model.evaluate import coco_ap


def test_ap_perfect_and_partial():
    g = [np.array([[0, 0, 10, 20.0], [20, 0, 30, 20]])]
    assert coco_ap([{"boxes": g[0], "scores": np.array([0.9, 0.8])}], g)["ap"] == pytest.approx(1.0)
    r = coco_ap([{"boxes": np.array([[0, 0, 10, 20.0], [50, 50, 60, 60]]), "scores": np.array([0.5, 0.9])}], g)
    assert r["ap50"] == pytest.approx(51 * 0.5 / 101)
    assert coco_ap([{"boxes": np.zeros((0, 4)), "scores": np.zeros(0)}], g)["ap50"] == 0.0


def test_loaders_on_shared_data():
    from lookout_model import datasets as ds
    try:
        ds.data_root()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    a, b, c = ds.usc_set("A"), ds.usc_set("B"), ds.usc_set("C")
    assert (len(a), len(b), len(c)) == (205, 54, 100)
    assert sum(len(s["boxes"]) for s in a + b + c) == 816
    campus = ds.mot_sequence("TUD-Campus")
    assert len(campus) == 71 and sum(len(s["boxes"]) for s in campus) == 359
    st = ds.mot_sequence("TUD-Stadtmitte", ds.parse_frames("91-179"))
    assert len(st) == 89 and st[0]["id"].endswith("000091")
    img = ds.load_image(a[0]["path"])
    assert img.shape[0] == 3 and float(img.max()) <= 1.0
    train, held = ds.pool_split(ds.default_pool())
    assert not any(s["id"].startswith("TUD-Stadtmitte") for s in train)
    assert 0.05 < len(held) / (len(train) + len(held)) < 0.15
    assert [s["id"] for s in ds.pool_split(ds.default_pool())[1]] == [s["id"] for s in held]  # deterministic


def test_f1_curve_counts_thresholded_detections_and_ignores():
    from lookout_model.evaluate import f1_curve
    g = [np.array([[0, 0, 10, 20.0], [20, 0, 30, 20]])]
    d = [{"boxes": np.array([[0, 0, 10, 20.0], [50, 50, 60, 60], [100, 100, 110, 120]]),
          "scores": np.array([0.9, 0.3, 0.8])}]
    ign = [np.array([[100, 100, 110, 120.0]])]          # the third detection hits an ignore region
    f1 = f1_curve(d, g, ign, thresholds=[0.2, 0.5, 0.95])
    assert f1[0.2] == pytest.approx(0.5)                 # tp 1, fp 1 (the 0.3 one), fn 1
    assert f1[0.5] == pytest.approx(2 / 3)               # tp 1, fp 0, fn 1
    assert f1[0.95] == 0.0
