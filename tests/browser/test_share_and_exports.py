"""« Copier le lien » gives back the same page, and each CSV download comes in both forms.

Every page is changed the way a visitor would (a dropdown, the year slider), the button is clicked, the clipboard
is read (permissions granted to the context) and the copied address opened in a new tab: the same state shows.
The CSV buttons of /credits and the /donnees links are downloaded in both forms and parsed in their convention.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from tests.browser.audit import wait_until_rendered
from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def read_french(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", low_memory=False)


def download_both(page, download_id: str) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, str]]:
    """Click both buttons of a download; the French spreadsheet form and the machine form, parsed."""
    with page.expect_download(timeout=60_000) as french:
        page.get_by_role("button", name="CSV (tableur, format français)").and_(
            page.locator(f"#{download_id}-button")).click()
    with page.expect_download(timeout=60_000) as machine:
        page.get_by_role("button", name="CSV (machine)").and_(page.locator(f"#{download_id}-machine-button")).click()
    return (read_french(french.value.path()), pd.read_csv(machine.value.path(), low_memory=False),
            (french.value.suggested_filename, machine.value.suggested_filename))


def same_numbers(french: pd.Series, machine: pd.Series, decimals: int) -> None:
    """The spreadsheet form's numbers are the machine ones rounded to ``decimals`` (or finer)."""
    got, want = french.astype(float).to_numpy(), machine.astype(float).to_numpy()
    assert len(got) == len(want) and np.array_equal(np.isnan(got), np.isnan(want))
    assert np.all(np.abs(got - want)[~np.isnan(want)] <= 0.5 * 10.0 ** -decimals + 1e-9)


def choose(page, dropdown_id: str, text: str) -> None:
    page.click(f"#{dropdown_id}")
    page.locator(".dash-dropdown-option", has_text=text).first.click()


def copy_and_reopen(context, page):
    """Click « Copier le lien », check the spoken confirmation, open the copied address in a new tab."""
    page.click("#copy-link")
    page.wait_for_function("() => document.querySelector('#copy-link-status').innerText.includes('Lien copié')")
    assert page.get_attribute("#copy-link-status", "aria-live") == "polite"
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url
    other = context.new_page()
    other.goto(copied, wait_until="domcontentloaded")
    wait_until_rendered(other)
    return other


@pytest.fixture
def sharing(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR", bypass_csp=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    yield context
    context.close()


def test_copied_link_reopens_the_map_as_it_was(sharing, live_server):
    page = sharing.new_page()
    page.goto(live_server + "/?fond=aucun", wait_until="domcontentloaded")
    wait_until_rendered(page)
    choose(page, "map-indicator", "Revenu disponible")
    page.wait_for_function("() => location.search.includes('indicateur=revenu')", timeout=20_000)
    page.focus("#map-year [role=slider]")
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => location.search.includes('annee=') && !location.search.includes('annee=2024')",
                           timeout=20_000)
    page.get_by_label("Écart", exact=True).check()
    page.wait_for_function("() => location.search.includes('mode=gap')", timeout=20_000)
    legend = page.inner_text("#map-legend")
    other = copy_and_reopen(sharing, page)
    assert other.inner_text("#map-legend") == legend
    assert "Revenu disponible" in other.inner_text("#map-indicator")
    assert other.get_attribute("#map-year [role=slider]", "aria-valuenow") == page.get_attribute(
        "#map-year [role=slider]", "aria-valuenow")
    screenshot(other, "copy-link-map")


@pytest.mark.parametrize(("path", "dropdown", "typed", "param"), [
    ("/barometre", "baro-ministry", "Culture", "ministere=culture"),
    ("/credits", "cred-ministry", "Justice", "justice"),
    ("/qpv/{code}", "profile-evolution-indicator", "chômage", "indicateur=taux_chomage"),
    ("/comparer?codes={code},{other}", "compare-indicators", "logements sociaux", "indicateurs="),
])
def test_copied_link_reopens_each_page_as_it_was(sharing, live_server, service, path, dropdown, typed, param):
    codes = service.codes("qpv")
    page = sharing.new_page()
    page.goto(live_server + path.format(code=codes[0], other=codes[1]), wait_until="domcontentloaded")
    wait_until_rendered(page)
    page.click(f"#{dropdown}")
    page.get_by_placeholder("Rechercher").fill(typed)
    page.get_by_role("option", name=re.compile(typed, re.IGNORECASE)).first.click()
    page.wait_for_function(f"() => location.search.includes('{param}')", timeout=20_000)
    wait_until_rendered(page)
    shown = page.inner_text(f"#{dropdown}")
    other = copy_and_reopen(sharing, page)
    assert other.inner_text(f"#{dropdown}") == shown
    assert param in other.url
    if dropdown == "compare-indicators":
        assert other.locator(".trend").count() == page.locator(".trend").count()
    screenshot(other, f"copy-link-{dropdown}")


def test_credits_downloads_in_both_forms(page, live_server):
    page.goto(live_server + "/credits?programme=P147", wait_until="domcontentloaded")
    wait_until_rendered(page)
    french, machine, names = download_both(page, "cred-lines-download")
    assert names == ("lignes-de-credits_tableur.csv", "lignes-de-credits.csv")
    assert len(french) == len(machine) > 0 and set(machine["programme"]) == {"P147"}
    same_numbers(french["Montant (€)"], machine["amount_eur"], decimals=2)
    assert "Thème" in french.columns and not set(french["Thème"]) & set(machine["theme"])  # labels, not codes
    french, machine, _names = download_both(page, "cred-map-download")
    same_numbers(french["Montant par habitant des quartiers (€)"], machine["per_inhabitant"], decimals=0)


def test_open_data_links_in_both_forms(page, live_server):
    page.goto(live_server + "/donnees", wait_until="domcontentloaded")
    wait_until_rendered(page)
    row = page.locator("tr", has=page.locator("a[href='/download/commitments.csv']"))
    with page.expect_download() as french:
        row.get_by_role("link", name="CSV (tableur, format français)").click()
    with page.expect_download() as machine:
        row.get_by_role("link", name="CSV (machine)").click()
    spreadsheet, raw = read_french(french.value.path()), pd.read_csv(machine.value.path())
    assert "Valeur cible" in spreadsheet.columns and "target_value" in raw.columns
    same_numbers(spreadsheet["Valeur cible"], raw["target_value"], decimals=0)


@pytest.mark.parametrize(("blocked", "expected"), [
    ("Object.defineProperty(navigator, 'clipboard', {value: undefined});", "Lien copié"),  # older browsers
    ("Object.defineProperty(navigator, 'clipboard', {value: undefined}); document.execCommand = () => false;",
     "l'adresse à copier : "),  # nothing copies: the address is shown, to copy by hand
])
def test_copy_link_without_the_clipboard_api(page, live_server, blocked, expected):
    page.add_init_script(blocked)
    page.goto(live_server + "/a-propos", wait_until="domcontentloaded")
    wait_until_rendered(page)
    page.click("#copy-link")
    page.wait_for_function("(text) => document.querySelector('#copy-link-status').innerText.includes(text)",
                           arg=expected, timeout=10_000)
    if "adresse" in expected:
        assert page.inner_text("#copy-link-status").endswith(live_server + "/a-propos")
