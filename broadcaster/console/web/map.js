'use strict';
// The console's maps, on Leaflet with no tiles: the zones' boundaries an admin uploaded, an
// alert's area, and drawing tools for polygons (click each corner, then finish) and circles
// (click the centre). Positions are [latitude, longitude]; circles {lat, lon, radius_km}.
window.TocsinMap = (function () {
  const zoneStyle = { color: '#0b4f8a', weight: 2, fillOpacity: 0.06 };
  const areaStyle = { color: '#a00000', weight: 3, fillOpacity: 0.18 };

  function create(element, zones) {
    const map = L.map(element, { attributionControl: false, zoomSnap: 0.25, keyboard: true });
    const zoneLayer = L.geoJSON(null, { style: () => zoneStyle });
    (zones || []).forEach(function (z) {
      if (z.geometry) zoneLayer.addData({ type: 'Feature', properties: { name: z.name }, geometry: z.geometry });
    });
    zoneLayer.eachLayer(function (l) { l.bindTooltip(l.feature.properties.name, { permanent: true, direction: 'center', className: 'zone-label' }); });
    zoneLayer.addTo(map);
    const bounds = zoneLayer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
    else map.setView([0, 0], 2);
    return { map: map, zoneLayer: zoneLayer };
  }

  function highlightZones(m, names) {
    m.zoneLayer.eachLayer(function (l) {
      const on = names.indexOf(l.feature.properties.name) >= 0;
      l.setStyle(on ? areaStyle : zoneStyle);
    });
  }

  function drawShapes(group, polygons, circles) {
    group.clearLayers();
    polygons.forEach(function (p) { L.polygon(p, areaStyle).addTo(group); });
    circles.forEach(function (c) { L.circle([c.lat, c.lon], Object.assign({ radius: c.radius_km * 1000 }, areaStyle)).addTo(group); });
  }

  // An alert's area, read-only.
  function showArea(m, area) {
    const group = L.layerGroup().addTo(m.map);
    drawShapes(group, area.polygons || [], area.circles || []);
    highlightZones(m, area.zones || []);
    const layers = group.getLayers();
    if (layers.length) {
      const b = L.featureGroup(layers).getBounds();
      if (b.isValid()) m.map.fitBounds(b.extend(m.zoneLayer.getBounds().isValid() ? m.zoneLayer.getBounds() : b), { padding: [12, 12] });
    }
  }

  // Drawing: calls onChange({polygons, circles}) after every change.
  function drawing(m, onChange) {
    const group = L.layerGroup().addTo(m.map);
    const sketch = L.layerGroup().addTo(m.map);
    const shapes = { polygons: [], circles: [] };
    let mode = null;
    let radiusKm = 1;
    let points = [];

    function changed() {
      drawShapes(group, shapes.polygons, shapes.circles);
      onChange(shapes);
    }
    function drawSketch() {
      sketch.clearLayers();
      points.forEach(function (p) { L.circleMarker(p, { radius: 5, color: '#a00000' }).addTo(sketch); });
      if (points.length > 1) L.polyline(points, { color: '#a00000', dashArray: '6 4' }).addTo(sketch);
    }
    m.map.on('click', function (e) {
      const p = [Math.round(e.latlng.lat * 1e5) / 1e5, Math.round(e.latlng.lng * 1e5) / 1e5];
      if (mode === 'polygon') {
        points.push(p);
        drawSketch();
      } else if (mode === 'circle') {
        shapes.circles.push({ lat: p[0], lon: p[1], radius_km: radiusKm });
        mode = null;
        changed();
      }
    });
    return {
      shapes: shapes,
      startPolygon: function () { mode = 'polygon'; points = []; drawSketch(); },
      // Finishes the polygon being drawn; false when it has fewer than 3 corners.
      finishPolygon: function () {
        if (mode !== 'polygon' || points.length < 3) return false;
        shapes.polygons.push(points.slice());
        points = [];
        mode = null;
        drawSketch();
        changed();
        return true;
      },
      startCircle: function (km) { mode = 'circle'; radiusKm = km; },
      clear: function () { shapes.polygons = []; shapes.circles = []; points = []; mode = null; drawSketch(); changed(); },
      set: function (polygons, circles) { shapes.polygons = polygons; shapes.circles = circles; changed(); },
      drawingPolygon: function () { return mode === 'polygon' ? points.length : -1; },
    };
  }

  return { create: create, showArea: showArea, highlightZones: highlightZones, drawing: drawing };
})();
