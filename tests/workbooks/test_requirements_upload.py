"""The requirements upload (CSV and XLSX) checked against the questionnaire's vocabulary."""

from __future__ import annotations

import io

import openpyxl
import pytest

from app.extensions import db
from app.scoring.model import Requirements


def _xlsx(**sheets: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, world, data: bytes, name: str):
    return client.post(
        f"/evaluations/{world.evaluation.id}/requirements/upload",
        content_type="multipart/form-data",
        data={"requirements": (io.BytesIO(data), name)},
        follow_redirects=True,
    )


def _stored(world) -> Requirements:
    db.session.refresh(world.evaluation)
    return Requirements.from_dict(world.evaluation.requirements)


def test_xlsx_labels_and_keys_are_stored_as_keys_with_settings(client, login, world):
    login(world.buyer)
    data = _xlsx(
        locales=[["locale", "min_contributors", "min_hours"], ["ja-JP", 80, 100]],
        demographics=[
            ["attribute", "category", "share"],
            ["Age band", "18-24", 30],
            ["age band", "65 AND OVER", 70],
            ["gender", "Female", 50],
            ["Gender", "male", 50],
        ],
        settings=[
            ["setting", "value"],
            ["currency", "usd"],
            ["must_have_share", "80%"],
            ["device", "In-car system"],
            ["device", "headset"],
            ["environment", "Street"],
        ],
    )
    page = _upload(client, world, data, "profile.xlsx")
    assert "Imported 1 locale(s), demographic targets, settings" in page.get_data(as_text=True)
    profile = _stored(world)
    assert profile.demographics == {"age": {"18_24": 0.3, "65_plus": 0.7}, "gender": {"female": 0.5, "male": 0.5}}
    assert profile.devices == ("car_system", "headset") and profile.environments == ("street",)
    assert profile.currency == "USD" and profile.must_have_share == 0.8


def test_csv_of_demographics_by_label_keeps_the_locales(client, login, world):
    world.evaluation.requirements = Requirements(must_have_share=0.7).to_dict() | {
        "locales": [{"locale": "en-GB", "min_contributors": 5, "min_hours": None}]
    }
    db.session.flush()
    login(world.buyer)
    csv = b"attribute,category,share\nAge band,25-34,50\nage,35_44,50\n"
    _upload(client, world, csv, "ages.csv")
    profile = _stored(world)
    assert profile.demographics == {"age": {"25_34": 0.5, "35_44": 0.5}}
    assert [t.locale for t in profile.locales] == ["en-GB"] and profile.must_have_share == 0.7


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "ages.csv",
            b"attribute,category,share\nage_group,18-24,1\n",
            "demographics, row 2: &#39;age_group&#39; is not one of the demographic attributes: Gender, Age band.",
        ),
        (
            "ages.csv",
            b"attribute,category,share\nage,18-25,1\n",
            "demographics, row 2: &#39;18-25&#39; is not one of the Age band categories: 18-24, 25-34",
        ),
        (
            "settings.csv",
            b"setting,value\ndevice,telepathy\n",
            "settings, row 2: &#39;telepathy&#39; is not one of the device classes: Smartphone, Tablet",
        ),
        ("settings.csv", b"setting,value\ncurrency,XYZ\n", "settings, row 2: &#39;XYZ&#39; is not one of the ISO 4217"),
        ("settings.csv", b"setting,value\nmust_have_share,50\n", "must_have_share must be above 0 and at most 1"),
    ],
)
def test_csv_unknown_words_are_refused_with_the_choices(client, login, world, name, data, message):
    login(world.buyer)
    html = _upload(client, world, data, name).get_data(as_text=True)
    assert message in html and "Nothing was imported" in html
    db.session.refresh(world.evaluation)
    assert world.evaluation.requirements == {}


def test_xlsx_unknown_category_is_refused_and_nothing_imported(client, login, world):
    login(world.buyer)
    data = _xlsx(
        locales=[["locale", "min_contributors", "min_hours"], ["ja-JP", 80, 100]],
        demographics=[["attribute", "category", "share"], ["gender", "woman", 100]],
    )
    html = _upload(client, world, data, "profile.xlsx").get_data(as_text=True)
    assert "demographics, row 2: &#39;woman&#39; is not one of the Gender categories: Female, Male, Non-binary." in html
    db.session.refresh(world.evaluation)
    assert world.evaluation.requirements == {}


def test_a_file_with_no_known_table_is_refused(client, login, world):
    login(world.buyer)
    html = _upload(client, world, b"name,size\nx,1\n", "other.csv").get_data(as_text=True)
    assert "The file holds no requirements table" in html


def test_demographic_shares_follow_the_same_rule_as_the_form(client, login, world):
    login(world.buyer)
    html = _upload(client, world, b"attribute,category,share\ngender,female,30\ngender,male,30\n", "g.csv")
    assert "Shares of Gender add up to 60, not 1 or 100." in html.get_data(as_text=True)
    db.session.refresh(world.evaluation)
    assert world.evaluation.requirements == {}
