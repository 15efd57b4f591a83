"""Back and forward buttons restore pages that keep their filters in the address."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def choose(page, dropdown_id: str, text: str):
    page.click(f"#{dropdown_id}")
    page.locator(".dash-dropdown-option", has_text=text).first.click()


@pytest.mark.parametrize(("path", "dropdown", "option", "param"), [
    ("/barometre", "baro-ministry", "Culture", "ministere=culture"),
    ("/credits", "cred-ministry", "Justice", "justice"),
])
def test_back_button_restores_filters(page, live_server, path, dropdown, option, param):
    page.goto(live_server + path, wait_until="networkidle")
    page.wait_for_selector(f"#{dropdown}")
    before = page.inner_text(f"#{dropdown}")
    choose(page, dropdown, option)
    page.wait_for_function(f"() => location.search.includes('{param}')", timeout=20_000)
    page.wait_for_function(f"() => document.querySelector('#{dropdown}').innerText.includes('{option}')")
    page.go_back()
    page.wait_for_function(f"() => !location.search.includes('{param}')", timeout=20_000)
    page.wait_for_function(
        f"(before) => document.querySelector('#{dropdown}') && "
        f"document.querySelector('#{dropdown}').innerText === before", arg=before, timeout=30_000)
    page.go_forward()
    page.wait_for_function(
        f"() => document.querySelector('#{dropdown}') && "
        f"document.querySelector('#{dropdown}').innerText.includes('{option}')", timeout=30_000)
