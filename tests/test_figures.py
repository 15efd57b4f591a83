"""Figures of filter callbacks travel as patches that make the figure on screen exactly the new one."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from dash import Patch

from callbacks.figures import LAYOUT_KEYS, figure_update
from layouts.charts import TEMPLATE, style_figure
from layouts.widgets import empty_figure
from tests.patches import apply_patch, shown


def without_template(figure) -> dict:
    spec = json.loads(go.Figure(figure).to_json())
    spec["layout"].pop("template", None)
    return spec


def test_a_patch_turns_the_figure_on_screen_into_the_new_one_and_drops_its_stale_keys():
    on_screen = empty_figure("Aucune donnée", "Insee")  # its « aucune donnée » annotation must go
    on_screen.add_hline(y=3)
    new = style_figure(go.Figure(go.Bar(x=[2022, 2023], y=[1.5, 2.5], name="Crédits")), title="Crédits",
                       source="Insee")
    patch = figure_update(new)
    assert isinstance(patch, Patch)
    after = apply_patch(on_screen.to_plotly_json(), patch)
    assert "shapes" not in after["layout"]
    assert [a["text"] for a in after["layout"]["annotations"]] == [a.text for a in new.layout.annotations]
    assert without_template(after) == without_template(new)
    # The template never travels: it is the one already on screen.
    assert "template" not in json.dumps(patch.to_plotly_json())


def test_a_figure_with_a_layout_key_the_patch_does_not_know_travels_whole():
    new = style_figure(go.Figure(go.Bar(x=[1], y=[1])), source="Insee")
    new.update_layout(bargap=0.3)
    assert "bargap" not in LAYOUT_KEYS
    assert figure_update(new) is new
    assert figure_update(None) is None and figure_update("no") == "no"


def test_the_template_keeps_only_what_the_atlas_draws():
    spec = TEMPLATE.to_plotly_json()
    assert set(spec["data"]) == {"bar", "scatter"}
    assert not {"geo", "polar", "scene", "ternary", "colorscale"} & set(spec["layout"])
    assert len(json.dumps(spec)) < 1500  # Plotly's default is 7.1 KB, sent with every figure
    assert style_figure(go.Figure(), source="x").layout.template == TEMPLATE


@pytest.mark.parametrize("page, call", [
    ("/barometre", lambda cb: cb["barometer"].update_commitments("travail", None, "departement:93", None,
                                                                  "toutes")[1]),
    ("/credits", lambda cb: cb["credits"].update_summary(None, None, ["P147"], None, None, "departement:93",
                                                         None)[1]),
])
def test_filter_callbacks_send_patches_whose_result_is_the_full_figure(service, page, call):
    from callbacks import barometer, credits

    modules = {"barometer": barometer, "credits": credits}
    patch = call(modules)
    assert isinstance(patch, Patch)
    result = shown(patch)
    # The same figure, computed whole: the callbacks' own builders, without the patch step.
    if page == "/barometre":
        filters = barometer.filters_of(ministry="travail", territory="departement:93", scope="toutes")
        full = barometer.render_commitments(filters, filters.scope).figure
    else:
        full = credits.render_summary(credits.filters_of(None, None, ["P147"], None, None, "departement:93",
                                                         None)).outputs()[1]
    assert without_template(result) == without_template(full)


def test_a_patched_figure_crosses_the_http_callback_path(dash_app, service):
    """Through Dash's own serialisation and the response cache: the answer carries a patch, not a figure."""
    client = dash_app.server.test_client()
    body = {"output": "..cred-kpis.children...cred-trend-graph.figure...cred-trend-table.children...",
            "inputs": [], "state": [], "changedPropIds": ["cred-start.value"]}
    dependency = next(d for d in client.get("/_dash-dependencies").get_json()
                      if "cred-trend-graph.figure" in d["output"])
    body["output"] = dependency["output"]
    body["outputs"] = [{"id": part.split(".")[0], "property": part.split(".")[1].split("@")[0]}
                       for part in dependency["output"].strip(".").split("...")]
    body["inputs"] = [{"id": i["id"], "property": i["property"], "value": None} for i in dependency["inputs"]]
    for _ in range(2):  # computed, then from the response cache
        answer = client.post("/_dash-update-component", json=body)
        assert answer.status_code == 200
        figure = answer.get_json()["response"]["cred-trend-graph"]["figure"]
        assert figure["__dash_patch_update"] == "__dash_patch_update"
        assert {op["location"][0] for op in figure["operations"]} == {"data", "layout"}
