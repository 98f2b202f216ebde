// The sensors of the current result on a Leaflet map, coloured by DAQI band.
//
// Tiles come from tile.openstreetmap.org (allowed by the page's CSP img-src). When they cannot be
// loaded (offline, blocked, the tile server refusing us) the map switches to a plain background with
// a latitude/longitude graticule, keeps drawing the sensors, and says so in a notice.

import { colourFor } from "./daqi.js";

const TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
const OSM_ATTRIBUTION =
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
const TILE_WAIT_MS = 8000; // no tile at all after this long counts as "tiles unavailable"

function graticuleStep(zoom) {
  // About 60-120 px between lines at every zoom, so that the labels never crowd.
  if (zoom >= 7) return 1;
  if (zoom >= 5) return 2;
  if (zoom >= 3) return 10;
  if (zoom >= 2) return 30;
  if (zoom >= 1) return 60;
  return 90;
}

function degrees(value, positive, negative) {
  return value === 0 ? "0°" : `${Math.abs(value)}°${value > 0 ? positive : negative}`;
}

function text(tag, content) {
  const element = document.createElement(tag);
  element.textContent = content;
  return element;
}

function popupFor(reading) {
  const box = document.createElement("div");
  box.className = "sensor-popup";
  box.append(text("strong", `Sensor ${reading.sensor_id}`));
  const list = document.createElement("dl");
  const rows = [
    ["Time (UTC)", reading.timestamp.replace("T", " ").replace("Z", "")],
    ["Country", reading.country],
    ["PM2.5", reading.pm25_ugm3 == null ? "–" : `${reading.pm25_ugm3} µg/m³`],
    ["PM10", reading.pm10_ugm3 == null ? "–" : `${reading.pm10_ugm3} µg/m³`],
    ["DAQI", `${reading.daqi} (${reading.band})`],
  ];
  for (const [term, value] of rows) list.append(text("dt", term), text("dd", value));
  box.append(list);
  return box;
}

export class SensorMap {
  constructor(element, notice, caption) {
    this.element = element;
    this.notice = notice;
    this.caption = caption;
    this.offline = false;
    this.tilesLoaded = 0;
    const L = window.L;
    this.map = L.map(element, {
      center: [50, 10],
      zoom: 3,
      minZoom: 0,
      maxZoom: 18,
      worldCopyJump: true,
      keyboard: true,
      preferCanvas: false,
    });
    this.map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    this.tiles = L.tileLayer(TILE_URL, {
      maxZoom: 19,
      attribution: OSM_ATTRIBUTION,
      crossOrigin: false,
    });
    this.tiles.on("tileload", () => {
      this.tilesLoaded += 1;
      if (this.offline) this.setOffline(false);
    });
    this.tiles.on("tileerror", () => {
      if (this.tilesLoaded === 0) this.setOffline(true);
    });
    this.tiles.addTo(this.map);
    // Grid lines go in their own pane between the tiles (200) and the sensors (overlayPane, 400).
    this.map.createPane("graticule").style.zIndex = "350";
    this.graticule = L.layerGroup();
    this.markers = L.featureGroup().addTo(this.map);
    this.map.on("zoomend moveend", () => {
      if (this.offline) this.drawGraticule();
    });
    this.tileTimer = setTimeout(() => {
      if (this.tilesLoaded === 0) this.setOffline(true);
    }, TILE_WAIT_MS);
  }

  setOffline(offline) {
    if (offline === this.offline) return;
    this.offline = offline;
    this.element.classList.toggle("map-offline", offline);
    if (offline) {
      this.drawGraticule();
      this.graticule.addTo(this.map);
      this.notice.textContent =
        "Map tiles could not be loaded from tile.openstreetmap.org, so the sensors are drawn on a plain " +
        "latitude/longitude grid. The results table lists the same readings.";
      this.notice.hidden = false;
    } else {
      this.graticule.remove();
      this.notice.hidden = true;
      this.notice.textContent = "";
    }
  }

  drawGraticule() {
    const L = window.L;
    this.graticule.clearLayers();
    const step = graticuleStep(this.map.getZoom());
    const bounds = this.map.getBounds().pad(0.5);
    // Lines on multiples of the step, inside the Web Mercator limit (±85°), reaching every edge.
    const top = Math.min(85, bounds.getNorth());
    const bottom = Math.max(-85, bounds.getSouth());
    const south = Math.ceil(bottom / step) * step;
    const north = Math.floor(top / step) * step;
    const west = Math.floor(bounds.getWest() / step) * step;
    const east = Math.ceil(bounds.getEast() / step) * step;
    const style = { color: "#9fb3c4", weight: 1, interactive: false, className: "graticule", pane: "graticule" };
    for (let lat = south; lat <= north; lat += step) {
      this.graticule.addLayer(L.polyline([[lat, west], [lat, east]], style));
    }
    for (let lon = west; lon <= east; lon += step) {
      this.graticule.addLayer(L.polyline([[bottom, lon], [top, lon]], style));
    }
    // Labels along the visible west and north edges (the attribution sits at the bottom);
    // redrawn after every move.
    const view = this.map.getBounds();
    const label = (direction) =>
      L.tooltip({ permanent: true, direction, className: "graticule-label", interactive: false });
    for (let lat = south; lat <= north; lat += step) {
      this.graticule.addLayer(
        label("right").setLatLng([lat, view.getWest()]).setContent(degrees(lat, "N", "S")),
      );
    }
    for (let lon = west; lon <= east; lon += step) {
      const wrapped = ((((lon + 180) % 360) + 360) % 360) - 180;
      this.graticule.addLayer(
        label("bottom").setLatLng([view.getNorth(), lon]).setContent(degrees(wrapped, "E", "W")),
      );
    }
  }

  /** Show these readings (objects with latitude, longitude, band, ...). */
  show(readings, { truncated = false } = {}) {
    const L = window.L;
    this.markers.clearLayers();
    const sensors = new Set();
    for (const reading of readings) {
      if (!Number.isFinite(reading.latitude) || !Number.isFinite(reading.longitude)) continue;
      sensors.add(reading.sensor_id);
      L.circleMarker([reading.latitude, reading.longitude], {
        radius: 6,
        color: "#1b1f24",
        weight: 1,
        fillColor: colourFor(reading),
        fillOpacity: 0.9,
        className: "sensor-marker",
      })
        .bindPopup(popupFor(reading))
        .addTo(this.markers);
    }
    const count = this.markers.getLayers().length;
    if (count > 0) {
      this.map.fitBounds(this.markers.getBounds(), { padding: [24, 24], maxZoom: 9 });
    }
    if (this.caption) {
      const what = `${count.toLocaleString("en")} reading${count === 1 ? "" : "s"} from ` +
        `${sensors.size.toLocaleString("en")} sensor${sensors.size === 1 ? "" : "s"}`;
      this.caption.textContent = count === 0
        ? "No sensors to show for this query."
        : truncated
          ? `Showing the first ${what}; narrow the query to see the rest.`
          : `Showing ${what}. Select a point for its values.`;
    }
    if (this.offline) this.drawGraticule();
  }

  /** Leaflet needs to know when its container changes size (layout, orientation). */
  resize() {
    this.map.invalidateSize();
  }
}
