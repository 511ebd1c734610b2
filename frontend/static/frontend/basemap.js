// The offline street base map drawn from our /tiles/streets/ vector tiles, shared by the
// pages that show a MapLibre map (the dispatcher map, the sales rep's viability view).

export function streetsStyleLayers(source) {
  const roadClass = (classes) => ["match", ["get", "highway"], classes, true, false];
  const major = ["motorway", "motorway_link", "trunk", "trunk_link"];
  const primary = ["primary", "primary_link"];
  const secondary = ["secondary", "secondary_link", "tertiary", "tertiary_link"];
  // [width at z10, width at z18]; the casing is drawn a little wider underneath.
  const width = ([low, high], extra = 0) => ["interpolate", ["exponential", 1.6], ["zoom"], 10, low + extra, 18, high + extra * 2];
  const classes = [
    { id: "minor", filter: ["!", roadClass([...major, ...primary, ...secondary])], color: "#ffffff", width: [0.4, 10], minzoom: 12 },
    { id: "secondary", filter: roadClass(secondary), color: "#fff6c4", width: [0.8, 14] },
    { id: "primary", filter: roadClass(primary), color: "#fcd88a", width: [1, 16] },
    { id: "major", filter: roadClass(major), color: "#f4a261", width: [1.2, 18] },
  ];
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#eceee8" } }];
  for (const road of classes) {
    layers.push({
      id: `streets-${road.id}-casing`, type: "line", source, "source-layer": "streets", filter: road.filter,
      minzoom: road.minzoom || 0, layout: { "line-join": "round", "line-cap": "round" },
      paint: { "line-color": "#c2c8cc", "line-width": width(road.width, 1.2) },
    });
  }
  for (const road of classes) {
    layers.push({
      id: `streets-${road.id}`, type: "line", source, "source-layer": "streets", filter: road.filter,
      minzoom: road.minzoom || 0, layout: { "line-join": "round", "line-cap": "round" },
      paint: { "line-color": road.color, "line-width": width(road.width) },
    });
  }
  // No `glyphs` in the style: MapLibre draws the names with the browser's own fonts (offline).
  layers.push({
    id: "streets-names", type: "symbol", source, "source-layer": "streets", minzoom: 14,
    layout: {
      "symbol-placement": "line", "text-field": ["get", "name"], "text-size": 11.5,
      "text-max-angle": 30, "symbol-spacing": 350,
    },
    paint: { "text-color": "#3b4752", "text-halo-color": "#ffffff", "text-halo-width": 1.6 },
  });
  return layers;
}

// The base map's MapLibre style from the tile index (/tiles/): a hosted style when one is
// configured, else our streets (source max zoom capped: MapLibre overzooms beyond it).
export function baseStyle(tileIndex, sourceMaxZoom) {
  if (tileIndex.basemap_style_url) return tileIndex.basemap_style_url;
  const streets = tileIndex.layers.find((layer) => layer.name === "streets");
  const style = { version: 8, sources: {}, layers: [] };
  if (streets) {
    style.sources.streets = {
      type: "vector", tiles: [absoluteUrl(streets.url)], minzoom: streets.minzoom,
      maxzoom: Math.min(streets.maxzoom, sourceMaxZoom),
    };
    style.layers = streetsStyleLayers("streets");
  } else {
    style.layers = [{ id: "background", type: "background", paint: { "background-color": "#eceee8" } }];
  }
  return style;
}

export function absoluteUrl(url) {
  // Tile URLs are fetched by a web worker, which cannot resolve a path against the page.
  return url.startsWith("/") ? window.location.origin + url : url;
}
