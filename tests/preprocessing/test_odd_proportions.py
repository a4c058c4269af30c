"""ROIs of odd proportions: `eye_to_fin` per photo, robust outliers per dataset, the report."""

import csv

import cv2
import numpy as np
import pytest

from lateral_keras.data.layout import scan_dataset
from lateral_keras.data.synthetic.render import render_image
from lateral_keras.preprocessing import report
from lateral_keras.preprocessing.extractor import extract_roi
from lateral_keras.preprocessing.prepare import prepare_dataset
from lateral_keras.preprocessing.report import odd_proportion_rows, summarise, summary_markdown
from lateral_keras.preprocessing.settings import ExtractorSettings


def rows_of(values, status="ok"):
    return [{"status": status, "key": f"k{i}", "eye_to_fin": v} for i, v in enumerate(values)]


def test_outliers_are_judged_by_the_robust_z_of_the_log_share():
    # log shares median + {-d, 0, +d}: the median absolute deviation is d exactly.
    d, centre = 0.02, np.log(0.27)
    values = [float(np.exp(centre + d * k)) for k in (-1, 0, 1) * 10]
    far, near = float(np.exp(centre + 10 * d)), float(np.exp(centre - 5 * d))
    odd = odd_proportion_rows(rows_of(values + [near, far]))
    assert [row["eye_to_fin"] for row in odd] == [far]  # z 6.7 in, z 3.4 out (limit 3.5)
    assert odd[0]["proportion_z"] == pytest.approx(10 / 1.4826, abs=0.05)


def test_too_few_measured_rois_give_no_verdict_and_failures_or_blanks_do_not_count():
    values = [0.27] * (report.MIN_PROPORTIONS - 2) + [0.05]  # one short of the minimum
    assert odd_proportion_rows(rows_of(values)) == []
    padded = rows_of(values) + rows_of([0.27], status="failed") + [
        {"status": "ok", "key": "manual", "eye_to_fin": ""}]
    assert odd_proportion_rows(padded) == []
    assert len(odd_proportion_rows(rows_of(values + [0.27]))) == 1


def test_the_summary_counts_them_and_the_report_says_what_to_do():
    rows = [{**row, "reason": "", "session": "S1"}
            for row in rows_of([0.27 + 0.001 * (i % 3) for i in range(25)] + [0.6])]
    summary = summarise(rows)
    assert summary["odd_proportions"] == 1
    details = {**summary, "cache_dir": "c", "roi_mode": "extract", "processed": 26, "reused": 0}
    assert "- odd proportions: 1 ROIs whose eye-to-fin" in summary_markdown(details)


def test_the_share_does_not_depend_on_the_photo_size():
    photo, _ = render_image(4, 0, 1, seed=3)
    settings = ExtractorSettings(bottom_fraction=0.75)
    share = extract_roi(photo, settings).quality["eye_to_fin"]
    doubled = cv2.resize(photo, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)
    assert extract_roi(doubled, settings).quality["eye_to_fin"] == pytest.approx(share, rel=0.03)
    assert 0.15 < share < 0.4


def _without_tail(photo, truth, masks):
    """The photo with the fish's rear part (beyond 1.8 eye-to-fin spans behind the eye)
    painted in the background's median colour."""
    ep, up = np.asarray(truth["ep"]), np.asarray(truth["up"])
    axis = (up - ep) / np.linalg.norm(up - ep)
    yy, xx = np.mgrid[: photo.shape[0], : photo.shape[1]]
    along = (xx - ep[0]) * axis[0] + (yy - ep[1]) * axis[1]
    rear = masks["fish"] & (along > 1.8 * np.linalg.norm(up - ep))
    painted = photo.copy()
    painted[rear] = np.median(photo[~masks["fish"]], axis=0).astype(np.uint8)
    return painted


def test_a_photo_whose_fish_lost_its_tail_to_the_background_is_the_one_flagged(tmp_path):
    root = tmp_path / "photos"
    for fish in range(12):
        for image in range(2):
            photo, truth, masks = render_image(fish, 0, image, image_size=(360, 270),
                                               difficulty="easy", return_masks=True)
            if (fish, image) == (5, 1):
                photo = _without_tail(photo, truth, masks)
            path = root / "SESSION1" / f"fish_{fish:04d}" / f"img_{image}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            assert cv2.imwrite(str(path), cv2.cvtColor(photo, cv2.COLOR_RGB2BGR))
    summary = prepare_dataset(scan_dataset(root), tmp_path / "cache",
                              ExtractorSettings(roi_size=(16, 64)), workers=1)
    assert summary.ok == 24 and summary.odd_proportions == 1
    assert "1 ROIs of odd proportions" in summary.describe()
    with open(summary.files["quality_csv"], newline="") as stream:
        rows = report.odd_proportion_rows(list(csv.DictReader(stream)))
    assert [row["path"].split("SESSION1/")[1] for row in rows] == ["fish_0005/img_1.png"]
    sheet = cv2.imread(summary.files["unsure_png"])
    assert (sheet[20:200, :240] < 250).any()  # the flagged photo is drawn on the sheet
