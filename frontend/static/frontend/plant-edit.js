// Editing the network plant on the dispatcher's map: CTO boxes (click to add, drag to move),
// cables (drawn as lines) and coverage areas (drawn as polygons), saved through /api/gis/.
// Only set up for users the server gave a `plant_edit` config (add or change permissions).
import * as maplibregl from "maplibre-gl";
import {
  TerraDraw, TerraDrawLineStringMode, TerraDrawPolygonMode, TerraDrawSelectMode,
} from "terra-draw";
import { TerraDrawMapLibreGLAdapter } from "terra-draw-maplibre-gl-adapter";
import { $, element, errorText } from "./dom.js";
import { formatNumber } from "./format.js";
import { request } from "./http.js";

const DRAW_COLOR = "#0b6e4f";
// Map coordinates carry more digits than terra-draw accepts; 7 decimals are about a centimetre.
const PRECISION = 7;
// A press on a box moves it only past this many pixels: less is a click (its popup).
const DRAG_THRESHOLD_PX = 4;

// The fields of each layer's form; `geometry` is the API field holding the shape.
const LAYER_FORMS = {
  boxes: {
    geometry: "point",
    title: () => gettext("CTO box"),
    fields: (choices) => [
      { name: "code", label: gettext("Code"), type: "text", required: true },
      { name: "kind", label: gettext("Kind"), type: "select", options: choices.box_kinds, initial: "cto" },
      { name: "ports_total", label: gettext("Ports"), type: "number", min: 1, max: 128, initial: 16, required: true },
      { name: "olt", label: gettext("OLT (optional)"), type: "select", options: choices.olts, optional: true, numeric: true },
      { name: "pon_port", label: gettext("OLT PON port (optional)"), type: "number", min: 1, optional: true },
    ],
  },
  cables: {
    geometry: "path",
    drawMode: "linestring",
    title: () => gettext("Cable"),
    fields: (choices) => [
      { name: "code", label: gettext("Code"), type: "text", required: true },
      { name: "kind", label: gettext("Kind"), type: "select", options: choices.cable_kinds, initial: "distribution" },
      { name: "fiber_count", label: gettext("Fibres"), type: "number", min: 1, initial: 12, required: true },
      { name: "olt", label: gettext("OLT (optional)"), type: "select", options: choices.olts, optional: true, numeric: true },
    ],
  },
  coverage: {
    geometry: "area",
    drawMode: "polygon",
    title: () => gettext("Coverage area"),
    fields: () => [
      { name: "name", label: gettext("Name"), type: "text", required: true },
      { name: "active", label: gettext("In service"), type: "checkbox", initial: true },
    ],
  },
};

const HINTS = {
  boxes: () => gettext("Click the map where the box is."),
  cables: () => gettext("Click each point of the cable; click the last point again (or press Enter) to finish."),
  coverage: () => gettext("Click each corner of the area; click the first corner again (or press Enter) to close it."),
};

const roundCoordinates = (coordinates) => (typeof coordinates[0] === "number"
  ? coordinates.map((value) => Number(value.toFixed(PRECISION)))
  : coordinates.map(roundCoordinates));

/**
 * Sets the editor up; `tools` are the map page's showMessage() and closePopup(). Returns what
 * the map page asks of it.
 */
export function setupPlantEdit(map, editConfig, tools) {
  const { showMessage, closePopup } = tools;
  const choices = { box_kinds: editConfig.box_kinds, cable_kinds: editConfig.cable_kinds, olts: [] };
  const can = (layerName, action) => editConfig.layers[layerName]?.actions.includes(action);
  let active = false;
  let placing = null; // the layer whose new object waits for a click or a drawing
  let editing = null; // {layerName, id|null, geometry, marker}: the form in the panel
  let dragging = null; // {id, start, marker}
  // Clicks ending a drawing reach the map too; the map page must not open popups for them.
  let lastDrawnAt = -Infinity;

  const draw = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map, prefixId: "plant" }),
    modes: [
      new TerraDrawLineStringMode({ styles: { lineStringColor: DRAW_COLOR, lineStringWidth: 3 } }),
      new TerraDrawPolygonMode({ styles: { fillColor: DRAW_COLOR, fillOpacity: 0.15, outlineColor: DRAW_COLOR, outlineWidth: 2 } }),
      new TerraDrawSelectMode({
        flags: Object.fromEntries(["linestring", "polygon"].map((mode) => [mode, {
          feature: { coordinates: { draggable: true, midpoints: true, deletable: true } },
        }])),
        styles: { selectedLineStringColor: DRAW_COLOR, selectedPolygonColor: DRAW_COLOR, selectedPolygonOutlineColor: DRAW_COLOR },
      }),
    ],
  });
  draw.start();
  draw.on("finish", (id, context) => {
    if (context?.action && context.action !== "draw") return;
    lastDrawnAt = performance.now();
    const layerName = placing;
    const geometry = draw.getSnapshotFeature(id).geometry;
    stopPlacing();
    openForm(layerName, null, {}, geometry);
    // Keep the drawing editable until the form is saved or cancelled.
    draw.setMode("select");
    draw.selectFeature(id);
  });

  const detailUrl = (layerName, id) => `${editConfig.layers[layerName].url}${id}/`;

  // The saved change shows at once: tiles revalidate against their ETag (Cache-Control: no-cache).
  // A layer switched off is switched on through its own checkbox, so the layer list agrees.
  function reloadLayer(layerName) {
    const source = map.getSource(layerName);
    source?.setTiles(source.tiles);
    const checkbox = document.querySelector(`#map-layers input[data-layer="${layerName}"]`);
    if (checkbox && !checkbox.checked) checkbox.click();
  }

  async function loadOlts() {
    const { ok, data } = await request(`${editConfig.olts}?page_size=500`);
    if (!ok) return;
    choices.olts = (data.results || data).map((olt) => [olt.id, `${olt.code} · ${olt.name}`]);
  }

  // ------------------------------------------------------------ mode on and off

  function setActive(on) {
    active = on;
    $("#plant-edit-toggle").classList.toggle("active", on);
    $("#plant-edit-toggle").setAttribute("aria-pressed", String(on));
    $("#plant-edit-tools").hidden = !on;
    if (on && !choices.olts.length) loadOlts();
    if (!on) closeForm();
  }

  function startPlacing(layerName) {
    closeForm();
    closePopup();
    placing = layerName;
    document.querySelectorAll("[data-plant-add]").forEach((button) => {
      button.classList.toggle("active", button.dataset.plantAdd === layerName);
    });
    $("#plant-edit-hint").textContent = HINTS[layerName]();
    $("#plant-edit-hint").hidden = false;
    const drawMode = LAYER_FORMS[layerName].drawMode;
    if (drawMode) draw.setMode(drawMode);
  }

  function stopPlacing() {
    placing = null;
    document.querySelectorAll("[data-plant-add]").forEach((button) => button.classList.remove("active"));
    $("#plant-edit-hint").hidden = true;
  }

  // ------------------------------------------------------------ the form

  function fieldControl(field, value) {
    const id = `plant-field-${field.name}`;
    let control;
    if (field.type === "select") {
      control = element("select", { id, name: field.name },
        field.optional ? element("option", { value: "", text: "—" }) : null,
        ...field.options.map(([optionValue, label]) => element("option", { value: String(optionValue), text: label })));
      control.value = value === null || value === undefined ? "" : String(value);
    } else {
      control = element("input", { id, name: field.name, type: field.type });
      if (field.type === "checkbox") control.checked = Boolean(value);
      else control.value = value ?? "";
      if (field.min !== undefined) control.min = field.min;
      if (field.max !== undefined) control.max = field.max;
    }
    const error = element("span", { className: "field-error", id: `${id}-error`, "data-error-for": field.name, hidden: "" });
    control.setAttribute("aria-describedby", error.id);
    return field.type === "checkbox"
      ? element("label", { className: "checkbox" }, control, field.label, error)
      : element("label", {}, field.label, control, error);
  }

  function fieldValue(form, field) {
    const control = form.elements[field.name];
    if (field.type === "checkbox") return control.checked;
    if (control.value === "") return field.optional ? null : "";
    if (field.type === "number" || field.numeric) return Number(control.value);
    return control.value;
  }

  function openForm(layerName, id, record, geometry) {
    closeForm();
    const spec = LAYER_FORMS[layerName];
    const fields = spec.fields(choices);
    const form = element("form", { className: "plant-form", "data-plant-form": layerName, novalidate: "" },
      element("h3", { text: id ? interpolate(gettext("Edit: %s"), [record.code || record.name]) : interpolate(gettext("New: %s"), [spec.title()]) }),
      ...fields.map((field) => fieldControl(field, id ? record[field.name] : field.initial)),
      layerName === "cables" && id
        ? element("p", { className: "muted small", text: interpolate(gettext("Length: %s m (measured by the server from the path)."), [formatNumber(record.length_m, 0)]) })
        : null,
      element("div", { className: "map-error", role: "alert", "data-error-for": "form", hidden: "" }),
      element("div", { className: "map-buttons" },
        element("button", { type: "submit", text: gettext("Save") }),
        element("button", { type: "button", "data-action": "cancel", text: gettext("Cancel") })));
    form.addEventListener("submit", (event) => { event.preventDefault(); save(form, fields); });
    form.querySelector("[data-action=cancel]").addEventListener("click", () => closeForm());
    $("#plant-edit-form").replaceChildren(form);
    editing = { layerName, id, geometry, marker: null };
    if (layerName === "boxes" && geometry) {
      // A draggable pin: the new box's place can still be corrected before saving.
      editing.marker = new maplibregl.Marker({ color: DRAW_COLOR, draggable: true })
        .setLngLat(geometry.coordinates).addTo(map);
    }
    form.scrollIntoView({ block: "nearest" });
    form.elements[fields[0].name].focus();
  }

  function closeForm() {
    editing?.marker?.remove();
    editing = null;
    stopPlacing();
    draw.clear();
    draw.setMode("static");
    $("#plant-edit-form").replaceChildren();
  }

  // The shape as it is now: the pin, or the drawing with every part of a multi-polygon.
  function currentGeometry() {
    if (editing.marker) {
      const { lng, lat } = editing.marker.getLngLat();
      return { type: "Point", coordinates: roundCoordinates([lng, lat]) };
    }
    // The snapshot also holds the select mode's handles (points): only the drawn shapes count.
    const drawMode = LAYER_FORMS[editing.layerName].drawMode;
    const shapes = draw.getSnapshot().filter((feature) => feature.properties.mode === drawMode)
      .map((feature) => feature.geometry);
    if (!shapes.length) return editing.geometry;
    if (editing.layerName === "coverage" && shapes.length > 1) {
      return { type: "MultiPolygon", coordinates: shapes.map((shape) => shape.coordinates) };
    }
    return shapes[0];
  }

  function showErrors(form, data, message) {
    const byField = data && typeof data === "object" && !Array.isArray(data) ? data : {};
    const leftOver = [];
    form.querySelectorAll("[data-error-for]").forEach((node) => { node.hidden = true; node.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
    for (const [name, messages] of Object.entries(byField)) {
      const slot = form.querySelector(`.field-error[data-error-for="${name}"]`);
      if (slot) {
        slot.textContent = errorText(messages);
        slot.hidden = false;
        form.elements[name]?.setAttribute("aria-invalid", "true");
      } else {
        leftOver.push(errorText(messages));
      }
    }
    if (!Object.keys(byField).length) {
      leftOver.push(message);
    }
    const general = form.querySelector(".map-error[data-error-for=form]");
    general.textContent = leftOver.filter(Boolean).join(" ");
    general.hidden = !general.textContent;
  }

  async function save(form, fields) {
    const { layerName, id } = editing;
    const body = Object.fromEntries(fields.map((field) => [field.name, fieldValue(form, field)]));
    // An edit whose shape could not be loaded for drawing leaves the shape as it is.
    const geometry = currentGeometry();
    if (geometry) body[LAYER_FORMS[layerName].geometry] = geometry;
    const result = await request(id ? detailUrl(layerName, id) : editConfig.layers[layerName].url, { method: id ? "PATCH" : "POST", body });
    // On a refusal the form stays as typed, with the server's messages beside the fields.
    if (!result.ok) {
      showErrors(form, result.data, result.message);
      return;
    }
    closeForm();
    reloadLayer(layerName);
    showMessage(interpolate(gettext("Saved: %s."), [result.data.code || result.data.name]));
  }

  // ------------------------------------------------------------ popups: edit and delete

  async function startEditing(layerName, id) {
    closePopup();
    const { ok, message, data } = await request(detailUrl(layerName, id));
    if (!ok) {
      showMessage(message);
      return;
    }
    setActive(true);
    const geometry = data[LAYER_FORMS[layerName].geometry];
    openForm(layerName, id, data, layerName === "boxes" ? geometry : null);
    if (layerName === "boxes") return;
    // Each polygon of a coverage area becomes one shape to edit; they are joined again on save.
    const parts = geometry.type === "MultiPolygon"
      ? geometry.coordinates.map((coordinates) => ({ type: "Polygon", coordinates }))
      : [geometry];
    const mode = LAYER_FORMS[layerName].drawMode;
    const added = draw.addFeatures(parts.map((part) => ({
      type: "Feature", geometry: { type: part.type, coordinates: roundCoordinates(part.coordinates) }, properties: { mode },
    })));
    draw.setMode("select");
    const valid = added.filter((result) => result.valid);
    if (valid.length === 1) draw.selectFeature(valid[0].id);
  }

  async function remove(layerName, id, button) {
    // A first click arms the button; the second deletes.
    if (!button.classList.contains("armed")) {
      button.classList.add("armed");
      button.textContent = gettext("Click again to delete");
      return;
    }
    const { ok, message } = await request(detailUrl(layerName, id), { method: "DELETE" });
    if (!ok) {
      showMessage(message);
      return;
    }
    closePopup();
    reloadLayer(layerName);
    showMessage(gettext("Deleted."));
  }

  function addPopupActions(content, layerName, properties) {
    if (!editConfig.layers[layerName] || properties.cluster || properties.id === undefined) return;
    const buttons = [];
    if (can(layerName, "change")) {
      const edit = element("button", { type: "button", "data-plant-edit": layerName, text: gettext("Edit") });
      edit.addEventListener("click", () => startEditing(layerName, properties.id));
      buttons.push(edit);
    }
    if (can(layerName, "delete")) {
      const del = element("button", { type: "button", className: "danger", "data-plant-delete": layerName, text: gettext("Delete") });
      del.addEventListener("click", () => remove(layerName, properties.id, del));
      buttons.push(del);
    }
    if (buttons.length) content.append(element("div", { className: "plant-actions" }, ...buttons));
  }

  // ------------------------------------------------------------ map clicks and box dragging

  map.on("click", (event) => {
    if (placing !== "boxes") return;
    const { lng, lat } = event.lngLat;
    lastDrawnAt = performance.now();
    stopPlacing();
    openForm("boxes", null, {}, { type: "Point", coordinates: [lng, lat] });
  });

  // The map fires no mousemove while a button is held: the drag follows the page's own events.
  function mapPixel(domEvent) {
    const rect = map.getCanvasContainer().getBoundingClientRect();
    return [domEvent.clientX - rect.left, domEvent.clientY - rect.top];
  }

  function followDrag(domEvent) {
    const pixel = mapPixel(domEvent);
    if (dragging.marker) {
      dragging.marker.setLngLat(map.unproject(pixel));
      return;
    }
    if (Math.hypot(pixel[0] - dragging.start[0], pixel[1] - dragging.start[1]) < DRAG_THRESHOLD_PX) return;
    closePopup();
    dragging.marker = new maplibregl.Marker({ color: DRAW_COLOR }).setLngLat(map.unproject(pixel)).addTo(map);
  }

  async function endDrag(domEvent) {
    window.removeEventListener("mousemove", followDrag);
    const { id, code, marker } = dragging;
    dragging = null;
    if (!marker) return; // a click: the popup opens as usual
    lastDrawnAt = performance.now();
    const { lng, lat } = map.unproject(mapPixel(domEvent));
    const { ok, message } = await request(detailUrl("boxes", id), {
      method: "PATCH", body: { point: { type: "Point", coordinates: roundCoordinates([lng, lat]) } },
    });
    marker.remove();
    if (!ok) {
      showMessage(message);
      return;
    }
    reloadLayer("boxes");
    showMessage(interpolate(gettext("Box %s moved."), [code]));
  }

  if (can("boxes", "change")) {
    map.on("mousedown", "boxes-points", (event) => {
      if (!active || placing || editing || dragging) return;
      const feature = event.features[0];
      event.preventDefault(); // no map panning while a box is held
      dragging = { id: feature.properties.id, code: feature.properties.code, start: [event.point.x, event.point.y], marker: null };
      window.addEventListener("mousemove", followDrag);
      window.addEventListener("mouseup", endDrag, { once: true });
    });
  }

  $("#plant-edit-toggle").addEventListener("click", () => setActive(!active));
  document.querySelectorAll("[data-plant-add]").forEach((button) => {
    button.addEventListener("click", () => (placing === button.dataset.plantAdd ? closeForm() : startPlacing(button.dataset.plantAdd)));
  });

  return {
    addPopupActions,
    // While placing, drawing or just after a drag, a map click belongs to the editor, not to popups.
    capturesClicks: () => Boolean(placing) || performance.now() - lastDrawnAt < 500 || draw.getMode() !== "static",
  };
}
