"""The vendor's journey (every question type, a file, autosave, submit, keyboard only, a phone screen)
and the buyer's comparison with its PDFs, in a real browser."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import Answer, Attachment, ResponseStatus
from tests.app.helpers import complete_response, questions_of
from tests.browser.conftest import ARTIFACTS, shot, sign_in

SAVED = re.compile(r"^Saved at \d\d:\d\d")


def _stored(response) -> dict:
    db.session.expire_all()
    return dict(
        db.session.execute(sa.select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)).all()
    )


def _first(response, qtype: str, **where):
    return next(
        q
        for q in questions_of(response, _stored(response))
        if q.type == qtype and all(getattr(q, k) == v for k, v in where.items())
    )


def test_vendor_answers_every_question_type_and_submits(page, live_server, world, app, tmp_path):
    response = world.response_a
    client = app.test_client()
    client.post("/login", data={"email": world.vendor_a.email, "password": "correct horse battery"})
    complete_response(client, response)  # the rest of the questionnaire, so the response can be submitted

    sign_in(page, live_server, world.vendor_a.email)
    page.goto(f"{live_server}/responses/{response.id}")
    status = page.locator("#autosave-status")
    yes_no = _first(response, "yes_no")
    single = next(q for q in questions_of(response) if q.type == "single_choice" and not q.must_have)
    multi = _first(response, "multi_choice")
    number = next(q for q in questions_of(response) if q.type == "number" and q.max is None)
    percentage = _first(response, "percentage")
    # Questionnaires v2 ask for dates only inside tables (certificate expiry, assessment reviewed).
    dated = next(q for q in questions_of(response) if q.type == "table" and any(c.type == "date" for c in q.columns))
    date_column = next(c for c in dated.columns if c.type == "date")
    text = _first(response, "text")
    table = next(q for q in questions_of(response) if q.type == "table" and q.columns[0].type == "locale")

    block = lambda q: page.locator(f"#q-{q.id}-block")  # noqa: E731
    before = _stored(response)[yes_no.id]
    block(yes_no).get_by_label("No" if before else "Yes", exact=True).check()
    page.locator(f"#q-{single.id}").select_option(single.option_keys[-1])
    block(multi).get_by_label(multi.options[-1].label, exact=True).check()
    page.locator(f"#q-{number.id}").fill("1234")
    page.locator(f"#q-{percentage.id}").fill("12.5")
    block(dated).get_by_label(f"Row 1, {date_column.label}").fill("2027-01-31")
    page.locator(f"#q-{text.id}").fill("Typed by the vendor in the browser.")
    first_cell = block(table).get_by_label(f"Row 1, {table.columns[0].label}")
    first_cell.fill("pt-BR")
    expect(status).to_have_text(SAVED, timeout=15000)
    shot(page, "vendor-editor-autosaved")

    stored = _stored(response)
    assert stored[yes_no.id] is (not before)
    assert stored[single.id] == single.option_keys[-1]
    assert multi.option_keys[-1] in stored[multi.id]
    assert stored[number.id] == 1234 and stored[percentage.id] == 12.5
    assert stored[dated.id][0][date_column.id] == "2027-01-31"
    assert stored[text.id] == "Typed by the vendor in the browser."
    assert stored[table.id][0][table.columns[0].id] == "pt-BR"

    evidence = tmp_path / "consent-fr.txt"
    evidence.write_text("Texte du consentement, version française.\n")
    file_question = _first(response, "file")
    page.locator(f"#q-{file_question.id}").set_input_files(str(evidence))
    block(file_question).get_by_role("button", name="Upload").click()
    page.wait_for_selector("text='consent-fr.txt' attached.")
    assert db.session.scalar(
        sa.select(Attachment.filename).where(
            Attachment.response_id == response.id, Attachment.filename == "consent-fr.txt"
        )
    )

    page.get_by_role("button", name="Save and submit").click()
    page.wait_for_selector("text=Response submitted.")
    shot(page, "vendor-submitted")
    db.session.refresh(response)
    assert response.status == ResponseStatus.SUBMITTED
    assert not [e for e in page.console_errors if "favicon" not in e], page.console_errors


def _tab_to(page, selector: str, limit: int = 600) -> None:
    """Press Tab until the element matching ``selector`` has the focus (keyboard only, no clicks)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the keyboard")


def test_vendor_form_works_with_the_keyboard_alone(page, live_server, world):
    response = world.response_a
    sign_in(page, live_server, world.vendor_a.email)
    page.goto(f"{live_server}/responses/{response.id}")
    text = _first(response, "text")
    single = next(q for q in questions_of(response) if q.type == "single_choice")
    yes_no = _first(response, "yes_no")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    _tab_to(page, f"#q-{text.id}")
    page.keyboard.type("Written with the keyboard only.")
    _tab_to(page, f"#q-{single.id}")
    page.keyboard.press("ArrowDown")
    _tab_to(page, f"#q-{yes_no.id}-yes")
    page.keyboard.press("Space")
    _tab_to(page, "button[value=save]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Draft saved.")
    stored = _stored(response)
    assert stored[text.id] == "Written with the keyboard only."
    assert stored[single.id] == single.option_keys[0] and stored[yes_no.id] is True


def test_vendor_pages_fit_a_phone_screen(browser, live_server, world):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, world.vendor_a.email)
    for path in ("/", f"/responses/{world.response_a.id}", f"/responses/{world.response_a.id}/offline"):
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        page.screenshot(path=str(ARTIFACTS / f"phone{path.replace('/', '-') or '-home'}.png"), full_page=False)
        assert overflow <= 1, f"{path} is {overflow}px wider than a phone screen"
    context.close()


def test_buyer_opens_the_comparison_and_downloads_the_pdfs(page, live_server, world, app):
    client = app.test_client()
    for vendor, response in ((world.vendor_a, world.response_a), (world.vendor_b, world.response_b)):
        client.post("/login", data={"email": vendor.email, "password": "correct horse battery"})
        complete_response(client, response, seed=response.id)
        assert client.post(f"/responses/{response.id}/submit").status_code == 302
        client.post("/logout")
    world.evaluation.sealed = False
    db.session.commit()

    sign_in(page, live_server, world.buyer.email)
    page.goto(f"{live_server}/evaluations/{world.evaluation.id}")
    page.get_by_role("link", name="Comparison").first.click()
    expect(page.get_by_role("heading", name="Comparison", exact=True)).to_be_visible()
    assert page.get_by_text("Vendor A").first.is_visible() and page.get_by_text("Vendor B").first.is_visible()
    shot(page, "buyer-comparison")

    with page.expect_download() as scorecard:
        page.get_by_role("link", name=re.compile("scorecard", re.I)).first.click()
    assert scorecard.value.path().read_bytes().startswith(b"%PDF")

    page.get_by_role("button", name="Comparison pack (PDF)").click()
    download_link = page.get_by_role("link", name=re.compile("^Download"))
    expect(download_link).to_be_visible(timeout=60000)
    shot(page, "buyer-pack-ready")
    with page.expect_download() as pack:
        download_link.click()
    assert pack.value.path().read_bytes().startswith(b"%PDF")
    assert not [e for e in page.console_errors if "favicon" not in e], page.console_errors
