"""lookout_model.parity, the side of the Java parity tests that runs here (the real-data comparisons are Java's:
DatasetParityTest, EvaluatorParityTest, HoldoutParityTest)."""
import json

import pytest
from PIL import Image

from lookout_model import datasets as ds
from lookout_model.parity import main


def last_json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_boxes_of_a_yolo_split_by_real_path(tmp_path, capsys):
    (tmp_path / "images").mkdir()
    (tmp_path / "labels").mkdir()
    (tmp_path / "data.yaml").write_text("names: [person, car]\n")
    Image.new("RGB", (200, 100)).save(tmp_path / "images" / "a.jpg")
    (tmp_path / "labels" / "a.txt").write_text("0 0.5 0.5 0.2 0.4\n1 0.5 0.5 0.2 0.2\n")
    main(["boxes", "yolo", str(tmp_path)])
    assert last_json(capsys) == {str((tmp_path / "images" / "a.jpg").resolve()): [[80.0, 30.0, 120.0, 70.0]]}


def test_ap_of_a_file(tmp_path, capsys):
    f = tmp_path / "ap.json"
    f.write_text(json.dumps({"gts": [[[0, 0, 10, 20], [20, 0, 30, 20]]],
                             "dets": [{"boxes": [[0, 0, 10, 20], [50, 50, 60, 60]], "scores": [0.5, 0.9]}]}))
    main(["ap", str(f)])
    assert last_json(capsys)["ap50"] == pytest.approx(51 * 0.5 / 101)


def test_trainer_holdout_is_not_the_pool_holdout(tmp_path, capsys):
    ids = [f"cam/{i:06d}" for i in range(400)]
    f = tmp_path / "ids.json"
    f.write_text(json.dumps(ids))
    main(["trainer-holdout", "0.2", str(f)])
    held = last_json(capsys)
    assert held == [ds.trainer_bucket(i) < 0.2 for i in ids]
    assert 40 < sum(held) < 120
    # two rules with two jobs: they disagree on many ids (model/README.md, "Two hold-outs")
    assert sum(h != ds.in_pool_holdout(i, 20) for h, i in zip(held, ids)) > 50
