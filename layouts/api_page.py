"""The human page of the read API (``/api``): a plain, static-looking HTML page in French.

Every piece of text that comes from the package or the request (title, base URL, example codes) is
escaped; no HTML is built from data otherwise, and the page carries no script.
"""

from __future__ import annotations

from markupsafe import escape

from atlas.api import params as p
from atlas.api.endpoints import ENDPOINTS
from atlas.formatting import format_number

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
    return {"indicator": next((i for i in indicators if i), "<indicateur>"),
            "qpv": qpv[0] if qpv else "<code-qpv>",
            "departement": departements[0] if departements else "<code-departement>"}


def _parameters(endpoint, service) -> str:
    rows = [f"<code>{escape(name)}</code>" for name in endpoint.path_params]
    rows += [f"<code>{escape(name)}</code>{' (obligatoire)' if param.required else ''}"
             for name, param in endpoint.query(service).items()]
    return ", ".join(rows) or "—"


def _n(number: int) -> str:
    return format_number(number, 0)


def api_page(base_url: str, service) -> str:
    ex = {k: escape(v) for k, v in _examples(service).items()}
    base = escape(base_url)
    title = escape(service.manifest.get("title") or "Atlas QPV")
    illustrative = ("<p><strong>Attention :</strong> le jeu de données servi est illustratif ; il ne décrit "
                    "aucun territoire réel.</p>") if service.illustrative else ""
    endpoints = "\n".join(
        f"<tr><td><code>GET /api/v1{escape(e.path)}</code></td><td>{escape(e.summary)}"
        f"{' — JSON ou CSV' if e.csv else ''}</td><td>{_parameters(e, service)}</td></tr>"
        for e in ENDPOINTS)
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>API de lecture — Atlas QPV</title><style>{STYLE}</style></head>
<body><main>
<p><a href="/">← Retour à l'atlas</a></p>
<h1>API de lecture de l'Atlas QPV</h1>
<p>Jeu de données servi : <strong>{title}</strong>.</p>
{illustrative}
<p>Toutes les données de l'atlas sont lisibles par programme, sans inscription ni clé : territoires, catalogue
des indicateurs, valeurs, chiffres clés des quartiers, engagements des ministères et crédits publics.
Le document <a href="/api/v1/openapi.json">OpenAPI 3.1</a> décrit chaque paramètre et chaque réponse ;
les métadonnées du jeu de données (DCAT, JSON-LD) sont sur <a href="/api/v1/catalog.jsonld">catalog.jsonld</a>.</p>

<h2>Exemples</h2>
<p>Les valeurs d'un indicateur pour les quartiers, en JSON :</p>
<pre>curl '{base}/api/v1/observations?indicator={ex["indicator"]}&amp;level=qpv&amp;from=2020&amp;limit=100'</pre>
<p>Le même tableau dans pandas (CSV, jusqu'à {_n(p.MAX_LIMIT_CSV)} lignes par appel) :</p>
<pre>import pandas as pd
url = "{base}/api/v1/observations?indicator={ex["indicator"]}&amp;level=qpv&amp;format=csv&amp;limit=50000"
valeurs = pd.read_csv(url, dtype={{"code": str}})</pre>
<p>Les chiffres clés d'un quartier, comparés à sa commune, son département et la France :</p>
<pre>curl '{base}/api/v1/qpv/{ex["qpv"]}'</pre>
<p>Les communes d'un département, et les crédits par année :</p>
<pre>curl '{base}/api/v1/territories?level=commune&amp;parent=departement:{ex["departement"]}'
curl '{base}/api/v1/credits?by=year&amp;territory=departement:{ex["departement"]}'</pre>

<h2>Ressources</h2>
<div class="table-scroll" tabindex="0" role="region" aria-label="Ressources de l'API (tableau défilant)">
<table><thead><tr><th>Adresse</th><th>Contenu</th><th>Paramètres</th></tr></thead>
<tbody>
{endpoints}
<tr><td><code>GET /api/v1/openapi.json</code></td><td>Description OpenAPI 3.1</td><td>—</td></tr>
<tr><td><code>GET /api/v1/catalog.jsonld</code></td><td>Métadonnées DCAT (JSON-LD) pour les catalogues</td>
<td>—</td></tr>
</tbody></table></div>

<h2>Règles</h2>
<ul>
<li><strong>Pagination :</strong> <code>limit</code> (100 par défaut, au plus {_n(p.MAX_LIMIT_JSON)} en JSON et
{_n(p.MAX_LIMIT_CSV)} en CSV) et <code>offset</code> ; chaque page donne <code>total</code> et l'adresse
<code>next</code> de la suivante (aussi dans l'en-tête <code>Link</code>).</li>
<li><strong>Valeurs :</strong> un nombre ou <code>null</code>, toujours avec un <code>status</code> :
<code>ok</code>, <code>secret</code> (secret statistique), <code>missing</code> (non disponible) ou
<code>estimate</code> (estimation provisoire).</li>
<li><strong>CSV :</strong> <code>format=csv</code> ou l'en-tête <code>Accept: text/csv</code> ; UTF-8 avec BOM ;
les cellules de texte commençant par <code>=</code>, <code>+</code>, <code>-</code> ou <code>@</code> sont
précédées d'une apostrophe pour qu'aucun tableur ne les exécute.</li>
<li><strong>Cache :</strong> chaque réponse porte un <code>ETag</code> ; renvoyez-le dans
<code>If-None-Match</code> pour recevoir <code>304</code> tant que les données n'ont pas changé.</li>
<li><strong>Erreurs :</strong> JSON, en français et en anglais : <code>400</code> pour un paramètre invalide
(inconnu, répété, trop long, hors bornes), <code>404</code> pour une adresse ou un identifiant inconnus,
<code>405</code> pour une méthode autre que GET.</li>
<li><strong>Bornes :</strong> requête de {_n(p.MAX_QUERY_LENGTH)} octets au plus, valeurs de {p.MAX_VALUE_LENGTH}
caractères, recherche de {p.MAX_SEARCH_LENGTH} caractères et {p.MAX_SEARCH_WORDS} mots, années entre
{p.MIN_YEAR} et {p.MAX_YEAR}.</li>
<li><strong>CORS :</strong> lecture autorisée depuis n'importe quelle origine.</li>
</ul>
<p class="muted">Licence des données : Licence Ouverte 2.0 sauf mention contraire dans le catalogue ; sources et
millésimes dans chaque indicateur et dans le manifeste.</p>
</main></body></html>
"""
