"""Image metrics on generated pictures: sharp vs blurred, dark vs bright, near duplicates."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from app.measurements.images import (
    aggregate_images,
    analyse_image_file,
    laplacian_variance,
    measure_image,
    near_duplicate_groups,
)
from tests.measurements.synth import blurred, noisy_copy, texture


def save(image: Image.Image, path, **params):
    image.save(path, **params)
    return path


def test_blur_orders_and_separates_at_a_threshold(tmp_path):
    sharp = texture(1)
    values = []
    for radius in (0, 1, 2, 4):
        picture = sharp if radius == 0 else blurred(sharp, radius)
        path = save(picture, tmp_path / f"r{radius}.png")
        values.append(analyse_image_file(path, item_id=str(radius), file=path.name).blur_laplacian_var)
    assert values == sorted(values, reverse=True)
    threshold = 100.0  # the usual rule of thumb for "blurry" on 8-bit luma
    assert values[0] > 10 * threshold and values[1] > threshold
    assert values[2] < threshold and values[3] < threshold


def test_laplacian_of_flat_and_tiny_images():
    assert laplacian_variance(np.full((50, 50), 128)) == 0.0
    assert laplacian_variance(np.zeros((2, 2))) == 0.0


@pytest.mark.parametrize("mean, dark, bright", [(20, True, False), (235, False, True), (128, False, False)])
def test_exposure(tmp_path, mean, dark, bright):
    path = save(texture(3, mean=mean, spread=20), tmp_path / "e.png")
    metrics = analyse_image_file(path, item_id="e", file="e.png")
    assert metrics.mean_luminance == pytest.approx(mean, abs=12)
    assert (metrics.dark_share > 0.1) is dark
    assert (metrics.bright_share > 0.1) is bright


def test_transparent_areas_are_not_dark():
    rgba = Image.new("RGBA", (64, 64), (0, 0, 0, 0))  # fully transparent "black"
    assert measure_image(rgba).dark_share == 0.0


def test_large_jpeg_reports_stored_size(tmp_path):
    big = texture(4, size=(3000, 2000)).resize((3000, 2000))
    path = save(big, tmp_path / "big.jpg", quality=90)
    metrics = analyse_image_file(path, item_id="b", file="big.jpg")
    assert (metrics.width, metrics.height, metrics.mode) == (3000, 2000, "RGB")
    assert metrics.error is None and metrics.blur_laplacian_var > 100


def test_near_duplicates_found_unrelated_kept_apart(tmp_path):
    pictures = [texture(s) for s in range(1, 7)]
    pictures.append(noisy_copy(pictures[0], seed=9))  # resized to half and lightly noised
    pictures.append(pictures[2].copy())  # exact copy
    items = []
    for i, picture in enumerate(pictures):
        path = save(picture, tmp_path / f"p{i}.jpg", quality=85)
        items.append(analyse_image_file(path, item_id=f"p{i}", file=path.name))
    groups = near_duplicate_groups([m.dhash for m in items])
    assert groups == [[0, 6], [2, 7]]
    summary = aggregate_images(items, min_width=200, min_height=150)
    assert summary["near_duplicate_groups"] == [["p0", "p6"], ["p2", "p7"]]
    assert summary["duplicate_items"] == 2 and summary["duplicate_rate"] == pytest.approx(2 / 8)
    assert summary["share_below_min_resolution"] == pytest.approx(1 / 8)  # the half-size copy


def test_groups_are_transitive_and_skip_missing_hashes():
    a = 0
    b = 0b1111  # 4 bits from a
    c = 0b11111111  # 4 bits from b, 8 from a
    hashes = [f"{a:016x}", None, f"{b:016x}", f"{c:016x}", f"{(1 << 64) - 1:016x}"]
    assert near_duplicate_groups(hashes, max_distance=4) == [[0, 2, 3]]


def test_unreadable_image(tmp_path):
    path = tmp_path / "x.jpg"
    path.write_bytes(b"\xff\xd8 not really a jpeg")
    metrics = analyse_image_file(path, item_id="x", file="x.jpg")
    assert metrics.error.startswith("could not be read as an image") and metrics.width is None
    assert aggregate_images([metrics])["unreadable"] == 1


def test_decompression_bomb_picture_not_decoded(tmp_path, monkeypatch):
    path = save(texture(5, size=(100, 100)), tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 4000)  # 10,000 pixels is "too many" here
    metrics = analyse_image_file(path, item_id="b", file="bomb.png")
    assert metrics.error == "declares too many pixels; not decoded"
