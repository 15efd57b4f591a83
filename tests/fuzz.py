"""Building blocks of the fuzz tests: the app's callbacks read from ``/_dash-dependencies``, request bodies as
the browser sends them, hostile and realistic values, and a recorder of the exceptions behind HTTP 500s."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import got_request_exception
from hypothesis import strategies as st

HUGE = 200_000  # characters of the "huge string" values (well under the request size limit)
PAGE_PATHS = ("/", "/qpv/{qpv}", "/barometre", "/credits", "/comparer", "/donnees", "/a-propos")


@dataclass(frozen=True)
class Prop:
    id: object  # a string, or a dict for pattern-matching ids (wildcards as ["ALL"] / ["MATCH"])
    property: str

    @property
    def wildcard(self) -> str | None:
        if isinstance(self.id, dict):
            for value in self.id.values():
                if isinstance(value, list) and value:
                    return value[0]
        return None

    @property
    def key(self) -> str:
        ident = json.dumps(self.id, sort_keys=True, separators=(",", ":")) if isinstance(self.id, dict) else self.id
        return f"{ident}.{self.property}"


@dataclass(frozen=True)
class ServerCallback:
    output: str
    outputs: tuple[Prop, ...]
    multi: bool
    inputs: tuple[Prop, ...]
    state: tuple[Prop, ...]

    @property
    def name(self) -> str:
        """First output and first input, e.g. ``map-choropleth.hideout<-map-year.value``."""
        first = self.output.strip(".").split("...")[0].split("@")[0]
        trigger = self.inputs[0].key if self.inputs else ""
        return f"{first}<-{trigger}"


def _prop(entry: dict) -> Prop:
    ident = entry["id"]
    if isinstance(ident, str) and ident.startswith("{"):
        ident = json.loads(ident)
    return Prop(ident, entry["property"])


def _outputs(output: str) -> tuple[tuple[Prop, ...], bool]:
    multi = output.startswith("..") and output.endswith("..")
    parts = output[2:-2].split("...") if multi else [output]
    props = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        props.append(_prop({"id": ident, "property": prop.split("@")[0]}))
    return tuple(props), multi


def server_callbacks(client) -> list[ServerCallback]:
    """Every callback the server runs (clientside ones excluded), as the app declares them."""
    found = []
    for dep in client.get("/_dash-dependencies").get_json():
        if dep.get("clientside_function"):
            continue
        outputs, multi = _outputs(dep["output"])
        found.append(ServerCallback(dep["output"], outputs, multi, tuple(_prop(i) for i in dep["inputs"]),
                                    tuple(_prop(s) for s in dep["state"])))
    return found


# ------------------------------------------------------------------ values

json_scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**31, -(2**63), 10**30, 2015, 1900, 9999, -2024]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
    st.sampled_from(["", " ", "ALL", "null", "qpv", "QPV", "asc", "ASC", "desc", "../../etc/passwd", "%00",
                     "<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", "javascript:alert(1)",
                     "=HYPERLINK(\"http://x\")", "¹²³⁴", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "qpv:", ":", "qpv:QN", "france:FR", "x:y:z",
                     "?a=1&b=2", "\x00", "\u202e", "2018-13", "2024-Q9", "NaN", "Infinity", "-0"]),
    st.builds(lambda c, n: c * n, st.sampled_from(["A", "é", "9", " ", "€", "qpv:QN0"]),
              st.sampled_from([1_000, HUGE // 4])),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(st.lists(children, max_size=6),
                               st.dictionaries(st.text(max_size=12), children, max_size=5)),
    max_leaves=5,
)


def collect_values(component, pool: dict[str, list]) -> None:
    """Props of every component with an id in a rendered layout, as realistic values per ``id.property``."""
    if isinstance(component, list | tuple):
        for child in component:
            collect_values(child, pool)
        return
    if not hasattr(component, "to_plotly_json"):
        return
    ident = getattr(component, "id", None)
    if isinstance(ident, str):
        for prop in ("value", "data", "n_clicks", "page_current", "sort_by", "hidden", "hideout", "search"):
            value = getattr(component, prop, None)
            if value is not None:
                pool.setdefault(f"{ident}.{prop}", []).append(value)
        for option in getattr(component, "options", None) or []:
            if isinstance(option, dict) and "value" in option:
                pool.setdefault(f"{ident}.value", []).append(option["value"])
    collect_values(getattr(component, "children", None), pool)


def value_strategy(prop: Prop, pool: dict[str, list]):
    realistic = pool.get(prop.key) or []
    if realistic:
        unique = list({json.dumps(v, sort_keys=True, default=str): v for v in realistic}.values())[:40]
        return st.one_of(st.sampled_from(unique), json_values)
    return json_values


def plain_body(callback: ServerCallback, pool: dict[str, list]) -> dict:
    """A well-formed body for ``callback`` with the first realistic value of each prop (None otherwise)."""

    def entries(props):
        return [[] if prop.wildcard in ("ALL", "ALLSMALLER") else
                {"id": prop.id, "property": prop.property, "value": (pool.get(prop.key) or [None])[0]}
                for prop in props]

    outputs = [{"id": o.id, "property": o.property} for o in callback.outputs]
    return {"output": callback.output, "outputs": outputs if callback.multi else outputs[0],
            "inputs": entries(callback.inputs), "state": entries(callback.state),
            "changedPropIds": [callback.inputs[0].key] if callback.inputs else []}


def payload_strategy(callback: ServerCallback, pool: dict[str, list]):
    """A request body for ``callback``: each input and state fuzzed, wildcard ids expanded to concrete ones."""

    def entries(props):
        parts = []
        for prop in props:
            if prop.wildcard in ("ALL", "ALLSMALLER"):
                concrete = st.lists(st.tuples(json_scalars.filter(lambda v: isinstance(v, str | int)), json_values),
                                    max_size=3)
                parts.append(concrete.map(lambda items, p=prop: [
                    {"id": {k: (key if isinstance(v, list) else v) for k, v in p.id.items()},
                     "property": p.property, "value": value} for key, value in items]))
            else:
                parts.append(value_strategy(prop, pool).map(
                    lambda value, p=prop: {"id": p.id, "property": p.property, "value": value}))
        return st.tuples(*parts) if parts else st.just(())

    def body(inputs, state, trigger):
        changed = []
        if callback.inputs:
            chosen = callback.inputs[trigger % len(callback.inputs)]
            changed = [chosen.key if not chosen.wildcard else
                       json.dumps(chosen.id, separators=(",", ":")) + "." + chosen.property]
        outputs = [{"id": o.id, "property": o.property} for o in callback.outputs]
        return {"output": callback.output, "outputs": outputs if callback.multi else outputs[0],
                "inputs": list(inputs), "state": list(state), "changedPropIds": changed}

    return st.builds(body, entries(callback.inputs), entries(callback.state), st.integers(0, 20))


@dataclass
class ServerErrors:
    """The exceptions behind the HTTP 500s of a Flask app, in order."""

    app: object
    seen: list = field(default_factory=list)

    def __enter__(self):
        got_request_exception.connect(self._record, self.app)
        return self

    def __exit__(self, *exc):
        got_request_exception.disconnect(self._record, self.app)

    def _record(self, sender, exception, **extra):
        self.seen.append(exception)
