/* Atlas QPV — drawing 35,000 polygons on one canvas (used by assets/atlas_map.js, loaded before it).
 *
 * BatchedCanvas fills the polygons of one colour as a few paths; a re-colouring hands it the colouring
 * (``_atlasPaint``: the styles and one class character per polygon) instead of restyling every layer.
 * Polygons drawn on it are projected inline (``packedProjection``) and not clipped (``noClip``): see
 * docs/performance.md.
 */
(function () {
  "use strict";

  // The style of polygon ``i`` in a canvas colouring ({styles, row}: one class character per polygon).
  function paintedStyle(paint, i) {
    if (paint.styles.loading) { return paint.styles.loading; }
    return paint.styles[paint.row ? paint.row.charAt(i) : "-"] || paint.styles["-"];
  }

  // A canvas that fills all polygons of one colour as one path: ten fills instead of 35,000.
  // Polygons with a stroke (missing values, the one under the mouse) are drawn one by one, on top.
  const BATCH = 64;
  const BatchedCanvas = L.Canvas.extend({
    _draw: function () {
      const bounds = this._redrawBounds;
      const ctx = this._ctx;
      ctx.save();
      if (bounds) {
        const size = bounds.getSize();
        ctx.beginPath();
        ctx.rect(bounds.min.x, bounds.min.y, size.x, size.y);
        ctx.clip();
      }
      this._drawing = true;
      const groups = new Map();
      const single = [];
      const paint = this._atlasPaint;  // the colouring restyle() gave this canvas, if any
      for (let order = this._drawFirst; order; order = order.next) {
        const layer = order.layer;
        if (bounds && !(layer._pxBounds && layer._pxBounds.intersects(bounds))) { continue; }
        const o = layer.options;
        if (!layer._parts || !layer._parts.length) { continue; }
        const st = paint && layer.feature ? paintedStyle(paint, layer.feature.properties.i) : null;
        if (o.stroke || !o.fill) {
          if (st) { o.fillColor = st.fillColor; o.fillOpacity = st.fillOpacity; }  // the polygon under the mouse
          single.push(layer);
          continue;
        }
        const key = st ? st.batchKey : o.batchKey || (o.fillColor + "|" + o.fillOpacity);
        if (!groups.has(key)) { groups.set(key, []); }
        groups.get(key).push(layer);
      }
      for (const [key, layers] of groups) {
        const cut = key.lastIndexOf("|");
        ctx.globalAlpha = +key.slice(cut + 1);
        ctx.fillStyle = key.slice(0, cut);
        // Moderate paths: the rasteriser slows down sharply on one path of 100,000 points.
        for (let start = 0; start < layers.length; start += BATCH) {
          ctx.beginPath();
          const end = Math.min(layers.length, start + BATCH);
          for (let k = start; k < end; k++) {
            for (const part of layers[k]._parts) {
              ctx.moveTo(part[0].x, part[0].y);
              for (let j = 1; j < part.length; j++) { ctx.lineTo(part[j].x, part[j].y); }
              ctx.closePath();
            }
          }
          ctx.fill("evenodd");
        }
      }
      ctx.globalAlpha = 1;
      for (const layer of single) { layer._updatePath(); }
      this._drawing = false;
      ctx.restore();
    },
  });

  // Projection of the canvas layers' polygons (35,000 communes, 620,000 vertices) without Leaflet's generic chain
  // (latLngToLayerPoint → project → latLngToPoint → projection → transformation → round → subtract, per vertex).
  // The same Web Mercator formula as L.Projection.SphericalMercator and L.CRS.EPSG3857, with their own constants,
  // so drawing and hit-testing agree with Leaflet's; any other projection takes Leaflet's own path.
  const leafletProject = L.Polyline.prototype._projectLatlngs;
  function fastProject(latlngs, result, projectedBounds) {
    const map = this._map;
    const crs = map && map.options.crs;
    if (!this.options.packedProjection || !crs || crs.projection !== L.Projection.SphericalMercator
        || !crs.transformation) {
      return leafletProject.call(this, latlngs, result, projectedBounds);
    }
    const t = crs.transformation;
    const proj = crs.projection;
    const scale = crs.scale(map._zoom);
    const origin = map.getPixelOrigin();
    const R = proj.R, max = proj.MAX_LATITUDE, d = Math.PI / 180;
    const walk = (items) => {
      if (!items.length || !(items[0] instanceof L.LatLng)) { items.forEach(walk); return; }
      const ring = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        const ll = items[i];
        const lat = Math.max(Math.min(max, ll.lat), -max);
        const sin = Math.sin(lat * d);
        // Leaflet computes scale * (a * x + b); written out the same way so the rounding is identical.
        const x = Math.round(scale * (t._a * (R * ll.lng * d) + t._b)) - origin.x;
        const y = Math.round(scale * (t._c * (R * Math.log((1 + sin) / (1 - sin)) / 2) + t._d)) - origin.y;
        ring[i] = new L.Point(x, y);
        projectedBounds.extend(ring[i]);
      }
      result.push(ring);
    };
    walk(latlngs);
  }
  L.Polygon.prototype._projectLatlngs = fastProject;

  window.atlasCanvas = { BatchedCanvas: BatchedCanvas, paintedStyle: paintedStyle };
})();
