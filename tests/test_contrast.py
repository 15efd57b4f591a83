"""Text on coloured backgrounds reaches WCAG AA (4.5:1): the barometer's status bars and status cells."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas import barometer as bar
from atlas.contrast import AA_NORMAL_TEXT, contrast_ratio, text_colour_on


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-below-AA grey
    assert contrast_ratio("#0072B2", "#ffffff") == pytest.approx(5.19, abs=0.01)
    assert contrast_ratio("#ffffff", "#009E73") < AA_NORMAL_TEXT  # why Plotly's own pick failed: white on green


@pytest.mark.parametrize("background", ["#009E73", "#D55E00", "#0072B2", "#8C8C8C", "#D0D0D0", "#000091", "#ffff00"])
def test_text_colour_on_reaches_aa(background):
    assert contrast_ratio(text_colour_on(background), background) >= AA_NORMAL_TEXT


def test_barometer_status_bars_and_cells_are_readable():
    from layouts.barometer import commitments_table, status_figure

    counts = pd.DataFrame({"ministry": ["culture", "travail"], **{s: [1, 2] for s in bar.STATUSES}})
    figure = status_figure(counts, "Source : test")
    bars = [trace for trace in figure.data if trace.type == "bar"]
    assert len(bars) == len(bar.STATUSES)
    for trace in bars:
        ratio = contrast_ratio(trace.insidetextfont.color, trace.marker.color)
        assert ratio >= AA_NORMAL_TEXT, f"{trace.name}: {ratio:.2f}:1"
    table = commitments_table([])
    styles = [s for s in table.style_data_conditional if s.get("if", {}).get("column_id") == "statut"]
    assert len(styles) == len(bar.STATUSES)
    for style in styles:
        assert contrast_ratio(style["color"], style["backgroundColor"]) >= AA_NORMAL_TEXT, style
