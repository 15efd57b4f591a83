"""The human page of the read API (``/api``): a plain, static-looking HTML page in the visitor's language.

Every piece of text that comes from the package or the request (title, base URL, example codes) is
escaped; no HTML is built from data otherwise, and the page carries no script.
"""

from __future__ import annotations

from markupsafe import escape

from atlas.api import params as p
from atlas.api.endpoints import ENDPOINTS
from atlas.formatting import format_number
from atlas.i18n import _, current_language, with_language

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
code,pre{font-family:ui-monospace,monospace;background:#f3f3f3;border-radius:4px}
pre{padding:.75rem;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}code{padding:0 .2rem}
.table-scroll{overflow-x:auto;max-width:100%}td code{overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;
vertical-align:top}.muted{color:#555}
"""


def _examples(service) -> dict[str, str]:
    indicators = [service.presentation.map_indicator, *service.indicators_at("qpv"),
                  *service.package.indicators["id"]]
    qpv = service.codes("qpv")
    departements = service.codes("departement")
    # Placeholders only for a package without such rows: every example names the package's own ids.
    return {"indicator": next((i for i in indicators if i), _("<indicateur>")),
            "qpv": qpv[0] if qpv else _("<code-qpv>"),
            "departement": departements[0] if departements else _("<code-departement>")}


def _parameters(endpoint, service) -> str:
    rows = [f"<code>{escape(name)}</code>" for name in endpoint.path_params]
    required = _(" (obligatoire)")
    rows += [f"<code>{escape(name)}</code>{required if param.required else ''}"
             for name, param in endpoint.query(service).items()]
    return ", ".join(rows) or "—"


def _n(number: int) -> str:
    return format_number(number, 0)


def api_page(base_url: str, service) -> str:
    """The page in the request's language. Messages hold HTML (the page is static text); every value filled in
    is escaped or a number."""
    ex = {k: escape(v) for k, v in _examples(service).items()}
    base = escape(base_url)
    title = escape(service.manifest.get("title") or "Atlas QPV")
    illustrative = "<p>" + _("<strong>Attention :</strong> le jeu de données servi est illustratif ; il ne décrit "
                             "aucun territoire réel.") + "</p>" if service.illustrative else ""
    json_or_csv = _(" — JSON ou CSV")
    endpoints = "\n".join(
        f"<tr><td><code>GET /api/v1{escape(e.path)}</code></td><td>{escape(_(e.summary))}"
        f"{json_or_csv if e.csv else ''}</td><td>{_parameters(e, service)}</td></tr>"
        for e in ENDPOINTS)
    text = {
        "page_title": _("API de lecture — Atlas QPV"),
        "back": _("← Retour à l'atlas"),
        "heading": _("API de lecture de l'Atlas QPV"),
        "dataset": _("Jeu de données servi : {title}.").format(title=f"<strong>{title}</strong>"),
        "intro": _("Toutes les données de l'atlas sont lisibles par programme, sans inscription ni clé : territoires, "
                   "catalogue des indicateurs, valeurs, chiffres clés des quartiers, engagements des ministères et "
                   "crédits publics. Le document {openapi} décrit chaque paramètre et chaque réponse ; les "
                   "métadonnées du jeu de données (DCAT, JSON-LD) sont sur {catalog}.").format(
            openapi='<a href="/api/v1/openapi.json">OpenAPI 3.1</a>',
            catalog='<a href="/api/v1/catalog.jsonld">catalog.jsonld</a>'),
        "examples": _("Exemples"),
        "ex_values": _("Les valeurs d'un indicateur pour les quartiers, en JSON :"),
        "ex_pandas": _("Le même tableau dans pandas (CSV, jusqu'à {count} lignes par appel) :").format(
            count=_n(p.MAX_LIMIT_CSV)),
        "ex_qpv": _("Les chiffres clés d'un quartier, comparés à sa commune, son département et la France :"),
        "ex_communes": _("Les communes d'un département, et les crédits par année :"),
        "resources": _("Ressources"),
        "resources_label": _("Ressources de l'API (tableau défilant)"),
        "address": _("Adresse"), "content": _("Contenu"), "parameters": _("Paramètres"),
        "openapi": _("Description OpenAPI 3.1"),
        "dcat": _("Métadonnées DCAT (JSON-LD) pour les catalogues"),
        "rules": _("Règles"),
        "pagination": _("<strong>Pagination :</strong> <code>limit</code> (100 par défaut, au plus {json} en JSON et "
                        "{csv} en CSV) et <code>offset</code> ; chaque page donne <code>total</code> et l'adresse "
                        "<code>next</code> de la suivante (aussi dans l'en-tête <code>Link</code>).").format(
            json=_n(p.MAX_LIMIT_JSON), csv=_n(p.MAX_LIMIT_CSV)),
        "values": _("<strong>Valeurs :</strong> un nombre ou <code>null</code>, toujours avec un <code>status</code> : "
                    "<code>ok</code>, <code>secret</code> (secret statistique), <code>missing</code> (non disponible) "
                    "ou <code>estimate</code> (estimation provisoire)."),
        "csv": _("<strong>CSV :</strong> <code>format=csv</code> ou l'en-tête <code>Accept: text/csv</code> ; UTF-8 "
                 "avec BOM ; les cellules de texte commençant par <code>=</code>, <code>+</code>, <code>-</code> ou "
                 "<code>@</code> sont précédées d'une apostrophe pour qu'aucun tableur ne les exécute."),
        "cache": _("<strong>Cache :</strong> chaque réponse porte un <code>ETag</code> ; renvoyez-le dans "
                   "<code>If-None-Match</code> pour recevoir <code>304</code> tant que les données n'ont pas "
                   "changé."),
        "errors": _("<strong>Erreurs :</strong> JSON, en français et en anglais : <code>400</code> pour un paramètre "
                    "invalide (inconnu, répété, trop long, hors bornes), <code>404</code> pour une adresse ou un "
                    "identifiant inconnus, <code>405</code> pour une méthode autre que GET."),
        "bounds": _("<strong>Bornes :</strong> requête de {query} octets au plus, valeurs de {value} caractères, "
                    "recherche de {search} caractères et {words} mots, années entre {first} et {last}.").format(
            query=_n(p.MAX_QUERY_LENGTH), value=p.MAX_VALUE_LENGTH, search=p.MAX_SEARCH_LENGTH,
            words=p.MAX_SEARCH_WORDS, first=p.MIN_YEAR, last=p.MAX_YEAR),
        "cors": _("<strong>CORS :</strong> lecture autorisée depuis n'importe quelle origine."),
        "licence": _("Licence des données : Licence Ouverte 2.0 sauf mention contraire dans le catalogue ; sources et "
                     "millésimes dans chaque indicateur et dans le manifeste."),
    }
    back = escape(with_language("/"))
    return f"""<!DOCTYPE html>
<html lang="{current_language()}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{text["page_title"]}</title><style>{STYLE}</style></head>
<body><main>
<p><a href="{back}">{text["back"]}</a></p>
<h1>{text["heading"]}</h1>
<p>{text["dataset"]}</p>
{illustrative}
<p>{text["intro"]}</p>

<h2>{text["examples"]}</h2>
<p>{text["ex_values"]}</p>
<pre>curl '{base}/api/v1/observations?indicator={ex["indicator"]}&amp;level=qpv&amp;from=2020&amp;limit=100'</pre>
<p>{text["ex_pandas"]}</p>
<pre>import pandas as pd
url = "{base}/api/v1/observations?indicator={ex["indicator"]}&amp;level=qpv&amp;format=csv&amp;limit=50000"
df = pd.read_csv(url, dtype={{"code": str}})</pre>
<p>{text["ex_qpv"]}</p>
<pre>curl '{base}/api/v1/qpv/{ex["qpv"]}'</pre>
<p>{text["ex_communes"]}</p>
<pre>curl '{base}/api/v1/territories?level=commune&amp;parent=departement:{ex["departement"]}'
curl '{base}/api/v1/credits?by=year&amp;territory=departement:{ex["departement"]}'</pre>

<h2>{text["resources"]}</h2>
<div class="table-scroll" tabindex="0" role="region" aria-label="{text["resources_label"]}">
<table><thead><tr><th>{text["address"]}</th><th>{text["content"]}</th><th>{text["parameters"]}</th></tr></thead>
<tbody>
{endpoints}
<tr><td><code>GET /api/v1/openapi.json</code></td><td>{text["openapi"]}</td><td>—</td></tr>
<tr><td><code>GET /api/v1/catalog.jsonld</code></td><td>{text["dcat"]}</td>
<td>—</td></tr>
</tbody></table></div>

<h2>{text["rules"]}</h2>
<ul>
<li>{text["pagination"]}</li>
<li>{text["values"]}</li>
<li>{text["csv"]}</li>
<li>{text["cache"]}</li>
<li>{text["errors"]}</li>
<li>{text["bounds"]}</li>
<li>{text["cors"]}</li>
</ul>
<p class="muted">{text["licence"]}</p>
</main></body></html>"""
