"""tests/support/browser.py's people(): one Chromium, and each person's visit in a browser context of its own."""

from __future__ import annotations

from tests.support import browser


def test_each_person_has_a_context_of_their_own_in_one_browser() -> None:
    with browser.people() as person:
        with person() as first:
            first.context.add_cookies([{"name": "session", "value": "instructor", "url": "http://127.0.0.1:9/"}])
            assert [c["value"] for c in first.context.cookies()] == ["instructor"]
            one_browser = first.context.browser
        with person() as second:
            assert second.context.browser is one_browser, "a second Chromium was started"
            assert second.context.cookies() == [], "a person's visit sees the cookies of the one before"
        assert one_browser.contexts == [], "a visit's context was left open"
