/* kg interactive graph. Reads the JSON blocks written by kg, draws them with vis-network.
   All document text is put into the page with textContent / value, never as HTML. */
(function () {
  "use strict";

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function byId(id) {
    return document.getElementById(id);
  }

  var kg = readJson("kg-payload");
  var nodeItems = readJson("kg-nodes");
  var edgeItems = readJson("kg-edges");
  var options = readJson("kg-options");

  var actors = kg.actors;
  var actorByKey = {};
  actors.forEach(function (a, i) { actorByKey[a.id] = i; });
  var relationInfo = {};
  kg.relations.forEach(function (r) { relationInfo[r.id] = r; });
  var modalityInfo = {};
  kg.modalities.forEach(function (m) { modalityInfo[m.id] = m; });
  var kindInfo = {};
  kg.kinds.forEach(function (k) { kindInfo[k.id] = k; });

  // Per actor: statement indices (as agent or target) and neighbour keys, built once.
  var actorStatements = actors.map(function () { return []; });
  var neighbours = actors.map(function () { return []; });
  kg.statements.forEach(function (st, i) {
    actorStatements[st.a].push(i);
    if (st.t !== undefined && st.t !== st.a) actorStatements[st.t].push(i);
  });
  var seenPairs = new Set();
  edgeItems.forEach(function (e) {
    var a = actorByKey[e.from], b = actorByKey[e.to];
    var pair = Math.min(a, b) + ":" + Math.max(a, b);
    if (a === b || seenPairs.has(pair)) return;
    seenPairs.add(pair);
    neighbours[a].push(e.to);
    neighbours[b].push(e.from);
  });

  var state = {
    shown: new Set(),
    relations: {},
    modalities: {},
    doc: -1,
    dateFrom: "",  // ISO dates; "" = open end
    dateTo: "",
    showIsolated: false,  // actors with no drawn edge are hidden unless ticked (or focused)
    pinned: new Set(),  // actors drawn even without an edge: found by search or clicked in a list
    allLabels: false,
    hoverEdge: null,
  };
  kg.relations.forEach(function (r) { state.relations[r.id] = true; });
  kg.modalities.forEach(function (m) { state.modalities[m.id] = m.shown; });

  function initialSet() {
    var set = new Set();
    kg.order.slice(0, kg.initial).forEach(function (i) { set.add(actors[i].id); });
    return set;
  }
  state.shown = initialSet();

  function dateFilterOn() {
    return state.dateFrom !== "" || state.dateTo !== "";
  }

  function inDateRange(st) {
    // A statement is in the range when its date (a day, or a span begin–end) overlaps it;
    // undated statements only when no range is set. ISO dates compare as strings.
    if (!dateFilterOn()) return true;
    if (!st.db || !st.de) return false;
    return (state.dateFrom === "" || st.de >= state.dateFrom) && (state.dateTo === "" || st.db <= state.dateTo);
  }

  function statementPasses(st) {
    return (state.doc < 0 || st.d === state.doc) && inDateRange(st);
  }

  function edgeVisible(e) {
    if (!state.shown.has(e.from) || !state.shown.has(e.to)) return false;
    if (!state.relations[e.rel] || !state.modalities[e.mod]) return false;
    if (state.doc >= 0 && e.docs.indexOf(state.doc) < 0) return false;
    if (state.doc >= 0 || dateFilterOn()) {
      return e.st.some(function (i) { return statementPasses(kg.statements[i]); });
    }
    return true;
  }

  function relationLabel(rel) {
    var info = relationInfo[rel];
    return info ? info.label + " (" + info.de + ")" : rel;
  }

  function modalityLabel(mod) {
    var info = modalityInfo[mod];
    return info ? info.label + " (" + info.de + ")" : mod;
  }

  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var connected = new Set();  // actors with at least one drawn edge

  function computeConnected() {
    connected = new Set();
    edges.forEach(function (e) {
      if (edgeVisible(e)) { connected.add(e.from); connected.add(e.to); }
    });
  }
  computeConnected();

  function nodeVisible(n) {
    return state.shown.has(n.id) && (state.showIsolated || connected.has(n.id) || state.pinned.has(n.id));
  }
  var nodeView = new vis.DataView(nodes, { filter: nodeVisible });
  var edgeView = new vis.DataView(edges, { filter: edgeVisible });

  // Edge labels have font size 0, which vis skips, except while hovered or when all are switched on.
  var EDGE_LABEL_PX = 13;
  var labelled = new Set();  // edges given their own label size by a hover

  var container = byId("kg-network");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, options);

  function markReady() {
    if (window.kgReady) return;
    if (kg.statements.length) byId("kg-loading").hidden = true;
    else byId("kg-loading").textContent = "This graph has no statements.";
    window.kgReady = true;
    window.kgReadyAt = performance.now();
    document.body.setAttribute("data-ready", "1");
  }

  if (kg.physics) {
    // Bounded stabilisation, then the layout stays put: no endless jiggling on big graphs.
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      // Fit on the next frame: fitting inside the event uses the pre-stabilisation extent.
      requestAnimationFrame(function () { network.fit(); markReady(); });
    });
  } else {
    network.once("afterDrawing", function () {
      requestAnimationFrame(function () { network.fit(); markReady(); });
    });
  }

  // ---------- view: which actors are drawn ----------

  function updateSummary() {
    var total = actors.length;
    var drawnEdges = edgeView.length;
    byId("kg-summary").textContent = total + " actors, " + kg.statements.length + " statements, " +
      kg.docs.length + (kg.docs.length === 1 ? " document" : " documents");
    var view = byId("kg-view");
    var large = total > kg.initial;
    var hiddenAlone = state.shown.size - nodeView.length;
    view.hidden = !large && state.shown.size === total && hiddenAlone <= 0;
    byId("kg-shown").textContent = "Showing " + nodeView.length + " of " + total + " actors and " +
      drawnEdges + " edges (most connected first)." +
      (hiddenAlone > 0 ? " " + hiddenAlone + " without a drawn edge hidden." : "");
    var remaining = total - state.shown.size;
    var more = byId("kg-more");
    more.hidden = remaining <= 0;
    more.textContent = "Show " + Math.min(kg.initial, remaining) + " more";
    byId("kg-all").hidden = remaining <= 0;
  }

  var remembered = new Set();  // actors drawn before: their data x/y is where they were

  function placeNear(newKeys) {
    // Put newly shown actors beside an already drawn neighbour; the rest on a spiral around the drawing.
    var known = network.getPositions();
    var ids = Object.keys(known);
    var cx = 0, cy = 0;
    ids.forEach(function (id) { cx += known[id].x; cy += known[id].y; });
    if (ids.length) { cx /= ids.length; cy /= ids.length; }
    var spiral = ids.length;
    var placedAround = {};
    var updates = [];
    newKeys.forEach(function (key) {
      if (remembered.has(key)) {
        var item = nodes.get(key);
        known[key] = { x: item.x, y: item.y };
        return;
      }
      var list = neighbours[actorByKey[key]];
      var anchor = null;
      for (var i = 0; i < list.length; i++) {
        if (known[list[i]]) { anchor = list[i]; break; }
      }
      var p;
      if (anchor === null) {
        var r = 70 * Math.sqrt(spiral + 0.5);
        p = { x: cx + r * Math.cos(spiral * 2.399963), y: cy + r * Math.sin(spiral * 2.399963) };
        spiral += 1;
      } else {
        var n = placedAround[anchor] = (placedAround[anchor] || 0) + 1;
        var radius = 110 + 22 * Math.sqrt(n);
        p = { x: known[anchor].x + radius * Math.cos(n * 2.399963), y: known[anchor].y + radius * Math.sin(n * 2.399963) };
      }
      known[key] = p;
      updates.push({ id: key, x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 });
    });
    if (updates.length) nodes.update(updates);
  }

  function showActors(keys) {
    var added = keys.filter(function (k) { return !state.shown.has(k); });
    if (!added.length) return 0;
    placeNear(added);
    added.forEach(function (k) { state.shown.add(k); });
    refresh();
    return added.length;
  }

  function setShown(set) {
    // Actors leaving the drawing keep where they were, so they come back to the same place.
    var leaving = Array.from(state.shown).filter(function (k) { return !set.has(k); });
    var where = network.getPositions(leaving);
    nodes.update(leaving.map(function (k) { return { id: k, x: where[k].x, y: where[k].y }; }));
    leaving.forEach(function (k) { remembered.add(k); });
    state.shown = set;
    refresh();
  }

  function refresh() {
    computeConnected();
    nodeView.refresh();
    edgeView.refresh();
    updateSummary();
  }

  function showMore() {
    var next = [];
    for (var i = 0; i < kg.order.length && next.length < kg.initial; i++) {
      var key = actors[kg.order[i]].id;
      if (!state.shown.has(key)) next.push(key);
    }
    showActors(next);
  }

  function showAll() {
    showActors(kg.order.map(function (i) { return actors[i].id; }));
    network.fit();
  }

  function showNeighbourhood(key, only) {
    var keys = [key].concat(neighbours[actorByKey[key]]);
    if (only) {
      var set = new Set(keys);
      placeNear(keys.filter(function (k) { return !state.shown.has(k); }));
      setShown(set);
      network.fit({ nodes: keys });
    } else {
      showActors(keys);
    }
  }

  // ---------- legend and filters ----------

  var SVG = "http://www.w3.org/2000/svg";

  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function lineSwatch(color, dashes, arrow) {
    var svg = svgEl("svg", { width: "34", height: "12", "aria-hidden": "true" });
    var line = svgEl("line", { x1: "1", y1: "6", x2: arrow ? "26" : "33", y2: "6", stroke: color, "stroke-width": "2.5" });
    if (dashes) line.setAttribute("stroke-dasharray", dashes.join(" "));
    svg.appendChild(line);
    if (arrow) svg.appendChild(svgEl("polygon", { points: "26,1 33,6 26,11", fill: color }));
    return svg;
  }

  function shapeSwatch(shape, color) {
    var svg = svgEl("svg", { width: "16", height: "16", "aria-hidden": "true" });
    var attrs = { fill: color, stroke: "#333", "stroke-width": "1" };
    var node;
    if (shape === "square") node = svgEl("rect", Object.assign({ x: "2", y: "2", width: "12", height: "12" }, attrs));
    else if (shape === "triangle") node = svgEl("polygon", Object.assign({ points: "8,1 15,14 1,14" }, attrs));
    else if (shape === "star") node = svgEl("polygon", Object.assign({ points: "8,1 10,6 15,6 11,9 13,15 8,11 3,15 5,9 1,6 6,6" }, attrs));
    else if (shape === "hexagon") node = svgEl("polygon", Object.assign({ points: "4,2 12,2 15,8 12,14 4,14 1,8" }, attrs));
    else node = svgEl("circle", Object.assign({ cx: "8", cy: "8", r: "6" }, attrs));
    svg.appendChild(node);
    return svg;
  }

  function filterRow(kind, id, checked, swatch, text, count) {
    var li = el("li");
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = checked;
    box.value = id;
    box.setAttribute("data-filter", kind);
    box.addEventListener("change", function () {
      state[kind === "relation" ? "relations" : "modalities"][id] = box.checked;
      refresh();
    });
    label.appendChild(box);
    label.appendChild(swatch);
    label.appendChild(el("span", null, text));
    label.appendChild(el("span", "kg-count", count));
    li.appendChild(label);
    return li;
  }

  function buildLegend() {
    var relList = byId("kg-relations");
    kg.relations.forEach(function (r) {
      relList.appendChild(filterRow("relation", r.id, true, lineSwatch(r.color, null, r.directed),
        relationLabel(r.id), r.count));
    });
    var modList = byId("kg-modalities");
    kg.modalities.forEach(function (m) {
      var text = modalityLabel(m.id) + (m.id === "negated" ? ", hidden unless ticked" : "");
      modList.appendChild(filterRow("modality", m.id, m.shown, lineSwatch("#555", m.dashes || null, false),
        text, m.count));
    });
    var kindList = byId("kg-kinds");
    kg.kinds.forEach(function (k) {
      var li = el("li");
      var row = el("span", "kg-item");
      row.appendChild(shapeSwatch(k.shape, k.color));
      row.appendChild(el("span", null, k.label + " (" + k.de + ")"));
      row.appendChild(el("span", "kg-count", k.count));
      li.appendChild(row);
      kindList.appendChild(li);
    });
    var select = byId("kg-doc");
    kg.docs.forEach(function (d, i) {
      var opt = el("option", null, d.label);
      opt.value = String(i);
      select.appendChild(opt);
    });
    select.addEventListener("change", function () {
      state.doc = select.value === "" ? -1 : Number(select.value);
      refresh();
    });
    byId("kg-edge-labels").addEventListener("change", function (ev) {
      state.allLabels = ev.target.checked;
      var size = state.allLabels ? EDGE_LABEL_PX : 0;
      network.setOptions({ edges: { font: { size: size } } });
      edges.update(Array.from(labelled).map(function (id) { return { id: id, font: { size: size } }; }));
    });
    byId("kg-isolated").addEventListener("change", function (ev) {
      state.showIsolated = ev.target.checked;
      refresh();
    });
    buildDates();
    byId("kg-more").addEventListener("click", showMore);
    byId("kg-all").addEventListener("click", showAll);
    byId("kg-reset").addEventListener("click", function () {
      state.pinned = new Set();
      setShown(initialSet());
      network.fit();
    });
  }

  function buildDates() {
    var section = byId("kg-dates");
    if (!kg.dates) return;  // no statement has a date: no filter to offer
    section.hidden = false;
    var from = byId("kg-date-from"), to = byId("kg-date-to");
    [from, to].forEach(function (input) {
      input.min = kg.dates.min;
      input.max = kg.dates.max;
    });
    var dated = kg.statements.filter(function (st) { return st.db; }).length;
    var reported = kg.statements.filter(function (st) { return st.rd; }).length;
    function note() {
      var text = "Dates " + kg.dates.min + " to " + kg.dates.max + "; " + dated + " of " + kg.statements.length +
        " statements dated (" + reported + " only by the report date).";
      if (dateFilterOn()) {
        var inside = kg.statements.filter(function (st) { return st.db && inDateRange(st); }).length;
        text += " In the range: " + inside + "; undated statements are hidden while a range is set.";
      }
      byId("kg-date-note").textContent = text;
    }
    function update() {
      // An invalid or half-typed date reads as "", i.e. open-ended.
      state.dateFrom = from.value || "";
      state.dateTo = to.value || "";
      note();
      refresh();
    }
    [from, to].forEach(function (input) {
      input.addEventListener("change", update);
      input.addEventListener("input", update);
    });
    byId("kg-date-clear").addEventListener("click", function () {
      from.value = "";
      to.value = "";
      update();
    });
    note();
  }

  // ---------- statements: shared rendering ----------

  function visibleStatement(st) {
    return state.relations[st.r] !== false && state.modalities[st.m] !== false && statementPasses(st);
  }

  function dateText(st) {
    if (!st.dt) return st.tm ? "time: " + st.tm + " (no date)" : null;
    var when = st.dt.replace("/", " – ");
    if (st.rd) return when + " (report date)";
    return st.tm ? when + " (" + st.tm + ")" : when;
  }

  function sourceText(st) {
    if (st.d === undefined) return null;
    var d = kg.docs[st.d];
    return (d.title || d.label) + (d.date ? ", " + d.date : "");
  }

  function webUrl(url) {
    return typeof url === "string" && /^https?:\/\/[^\s]+$/.test(url) ? url : null;
  }

  function statementBlock(st, viewpoint) {
    var box = el("div");
    var head = el("div");
    var who;
    if (viewpoint === undefined) {
      who = actors[st.a].label + " → " + (st.t !== undefined ? actors[st.t].label : "(no target)");
    } else if (st.a === viewpoint) {
      who = "→ " + (st.t !== undefined ? actors[st.t].label : "(no target)");
    } else {
      who = "← " + actors[st.a].label;
    }
    head.appendChild(el("span", null, who));
    head.appendChild(el("span", "kg-tag kg-" + st.m, modalityInfo[st.m] ? modalityInfo[st.m].label : st.m));
    box.appendChild(head);
    (st.s || []).forEach(function (si) {
      box.appendChild(el("blockquote", null, kg.sentences[si]));
    });
    var bits = [];
    var when = dateText(st);
    if (when) bits.push("date: " + when);
    if (st.ev) bits.push("CAMEO " + st.ev + (st.el ? " " + st.el : ""));
    if (st.tr) bits.push("trigger: " + st.tr);
    if (st.pl) bits.push("place: " + st.pl);
    if (st.by) bits.push("reported by: " + st.by);
    if (st.c !== undefined) bits.push("confidence " + st.c.toFixed(2));
    box.appendChild(el("div", "kg-src kg-when", bits.join(" · ")));
    if (st.d !== undefined) {
      var doc = kg.docs[st.d];
      var src = el("div", "kg-src kg-doc");
      src.appendChild(el("span", null, sourceText(st) + (doc.path && doc.title ? " (" + doc.path + ")" :
        doc.path && doc.path !== doc.label ? " (" + doc.path + ")" : "")));
      var url = webUrl(doc.url);
      if (url) {
        src.appendChild(document.createTextNode(" · "));
        var link = el("a", "kg-source-link", url);
        link.href = url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        src.appendChild(link);
      }
      box.appendChild(src);
    }
    return box;
  }

  // ---------- edge hover: label and evidence tooltip ----------

  var tooltip = byId("kg-tooltip");
  var TOOLTIP_MAX = 4;

  function edgeStatements(edge) {
    var list = edge.st.filter(function (i) { return visibleStatement(kg.statements[i]); });
    return list.length ? list : edge.st;
  }

  function fillTooltip(edgeId) {
    var edge = edges.get(edgeId);
    tooltip.textContent = "";
    var from = actors[actorByKey[edge.from]].label, to = actors[actorByKey[edge.to]].label;
    var arrow = relationInfo[edge.rel] && !relationInfo[edge.rel].directed ? " — " : " → ";
    tooltip.appendChild(el("div", "kg-head", from + arrow + to + ": " + relationLabel(edge.rel) + ", " +
      modalityLabel(edge.mod)));
    var list = edgeStatements(edge);
    list.slice(0, TOOLTIP_MAX).forEach(function (i) {
      var st = kg.statements[i];
      (st.s || []).forEach(function (si) { tooltip.appendChild(el("blockquote", null, kg.sentences[si])); });
      var bits = [dateText(st), sourceText(st), st.d !== undefined ? webUrl(kg.docs[st.d].url) : null];
      bits = bits.filter(function (b) { return b; });
      if (bits.length) tooltip.appendChild(el("div", "kg-src", bits.join(" · ")));
    });
    if (list.length > TOOLTIP_MAX) {
      tooltip.appendChild(el("div", "kg-src", "+ " + (list.length - TOOLTIP_MAX) + " more; click the edge for all"));
    }
  }

  function showTooltip(edgeId, pointer) {
    fillTooltip(edgeId);
    tooltip.hidden = false;
    var box = byId("kg-main").getBoundingClientRect();
    var x = Math.min(pointer.x + 14, box.width - tooltip.offsetWidth - 6);
    var y = pointer.y + 14;
    if (y + tooltip.offsetHeight > box.height - 6) y = Math.max(6, pointer.y - tooltip.offsetHeight - 14);
    tooltip.style.left = Math.max(6, x) + "px";
    tooltip.style.top = y + "px";
  }

  network.on("hoverEdge", function (params) {
    state.hoverEdge = params.edge;
    labelled.add(params.edge);
    // Readable on screen at any zoom.
    edges.update({ id: params.edge, font: { size: Math.max(EDGE_LABEL_PX, EDGE_LABEL_PX / network.getScale()) } });
    showTooltip(params.edge, params.pointer.DOM);
  });
  network.on("blurEdge", function (params) {
    if (edges.get(params.edge)) edges.update({ id: params.edge, font: { size: state.allLabels ? EDGE_LABEL_PX : 0 } });
    // vis may report the blur of the previous edge after the hover of the next one.
    if (state.hoverEdge === params.edge) {
      state.hoverEdge = null;
      tooltip.hidden = true;
    }
  });
  network.on("dragStart", function () { tooltip.hidden = true; });
  network.on("zoom", function () { tooltip.hidden = true; });

  // ---------- side panel ----------

  var panel = byId("kg-panel");
  var panelBody = byId("kg-panel-body");
  byId("kg-panel-close").addEventListener("click", function () {
    panel.hidden = true;
    network.unselectAll();
  });

  function openPanel() {
    panel.hidden = false;
    network.redraw();
  }

  function showActorPanel(key) {
    var idx = actorByKey[key];
    var a = actors[idx];
    panelBody.textContent = "";
    panelBody.setAttribute("data-actor", a.id);
    panelBody.appendChild(el("h2", null, a.label));
    var kind = kindInfo[a.kind];
    var meta = [kind ? kind.label : a.kind];
    if (a.cls && a.cls !== "Person" && a.cls !== "State" && a.cls !== "Place") meta.push(a.cls);
    if (a.role) meta.push(a.role);
    if (a.country) meta.push(a.country);
    panelBody.appendChild(el("p", "kg-meta", meta.join(" · ")));
    if (a.al && a.al.length) panelBody.appendChild(el("p", "kg-meta", "also: " + a.al.join(", ")));
    if (a.wd && /^Q[1-9][0-9]*$/.test(a.wd)) {
      var p = el("p", "kg-meta");
      var link = el("a", "kg-wikidata", "Wikidata " + a.wd);
      link.href = "https://www.wikidata.org/wiki/" + a.wd;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      p.appendChild(link);
      panelBody.appendChild(p);
    }
    var hidden = neighbours[idx].filter(function (k) { return !state.shown.has(k); }).length;
    var buttons = el("div", "kg-buttons");
    if (hidden) {
      var add = el("button", null, "Show " + hidden + " hidden neighbour" + (hidden === 1 ? "" : "s"));
      add.type = "button";
      add.id = "kg-show-neighbours";
      add.addEventListener("click", function () { showNeighbourhood(a.id, false); showActorPanel(a.id); });
      buttons.appendChild(add);
    }
    if (neighbours[idx].length) {
      var only = el("button", null, "Only this neighbourhood");
      only.type = "button";
      only.id = "kg-only-neighbourhood";
      only.addEventListener("click", function () { showNeighbourhood(a.id, true); showActorPanel(a.id); });
      buttons.appendChild(only);
    }
    if (buttons.childNodes.length) panelBody.appendChild(buttons);

    var groups = {};
    actorStatements[idx].forEach(function (i) {
      var st = kg.statements[i];
      (groups[st.r] = groups[st.r] || []).push(i);
    });
    var rels = kg.relations.map(function (r) { return r.id; }).filter(function (r) { return groups[r]; });
    if (!rels.length) panelBody.appendChild(el("p", "kg-meta", "No statements."));
    rels.forEach(function (rel) {
      var section = el("section", "kg-rel-group");
      section.setAttribute("data-relation", rel);
      section.appendChild(el("h3", null, relationLabel(rel) + " — " + groups[rel].length));
      var ul = el("ul");
      groups[rel].forEach(function (i) {
        var li = el("li");
        li.appendChild(statementBlock(kg.statements[i], idx));
        ul.appendChild(li);
      });
      section.appendChild(ul);
      panelBody.appendChild(section);
    });
    openPanel();
  }

  function showEdgePanel(edgeId) {
    var edge = edges.get(edgeId);
    panelBody.textContent = "";
    panelBody.removeAttribute("data-actor");
    var from = actors[actorByKey[edge.from]].label, to = actors[actorByKey[edge.to]].label;
    panelBody.appendChild(el("h2", null, from + " – " + to));
    panelBody.appendChild(el("p", "kg-meta", relationLabel(edge.rel) + " · " + modalityLabel(edge.mod) + " · " +
      edge.st.length + (edge.st.length === 1 ? " statement" : " statements")));
    var ul = el("ul");
    edge.st.forEach(function (i) {
      var li = el("li");
      li.appendChild(statementBlock(kg.statements[i]));
      ul.appendChild(li);
    });
    panelBody.appendChild(ul);
    openPanel();
  }

  network.on("click", function (params) {
    if (params.nodes.length) showActorPanel(params.nodes[0]);
    else if (params.edges.length) showEdgePanel(params.edges[0]);
  });

  // ---------- search ----------

  function findActor(query) {
    var q = query.trim().toLowerCase();
    if (!q) return null;
    var i, names;
    function namesOf(a) { return [a.label].concat(a.al || []).map(function (s) { return s.toLowerCase(); }); }
    var order = kg.order;
    for (i = 0; i < order.length; i++) if (namesOf(actors[order[i]]).indexOf(q) >= 0) return actors[order[i]].id;
    for (i = 0; i < order.length; i++) {
      names = namesOf(actors[order[i]]);
      if (names.some(function (n) { return n.indexOf(q) === 0; })) return actors[order[i]].id;
    }
    for (i = 0; i < order.length; i++) {
      names = namesOf(actors[order[i]]);
      if (names.some(function (n) { return n.indexOf(q) >= 0; })) return actors[order[i]].id;
    }
    return null;
  }

  function focusActor(key) {
    if (!state.pinned.has(key)) {
      state.pinned.add(key);  // drawn even when it has no drawn edge, so it can be selected
      refresh();
    }
    if (!state.shown.has(key)) showNeighbourhood(key, false);
    network.selectNodes([key]);
    network.focus(key, { scale: Math.max(network.getScale(), 1.1), animation: false });
    showActorPanel(key);
  }

  function buildSearch() {
    var list = byId("kg-actor-list");
    kg.order.forEach(function (i) {
      var opt = el("option");
      opt.value = actors[i].label;
      list.appendChild(opt);
    });
    byId("kg-search-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var query = byId("kg-search").value;
      var key = findActor(query);
      var status = byId("kg-search-status");
      if (key === null) {
        status.textContent = "No actor matches “" + query.trim() + "”.";
        return;
      }
      status.textContent = "";
      focusActor(key);
    });
  }

  // ---------- statistics panel ----------

  function actorButton(key, label) {
    var b = el("button", "kg-link", label);
    b.type = "button";
    b.addEventListener("click", function () { focusActor(key); });
    return b;
  }

  function buildStats() {
    var s = kg.stats;
    var body = byId("kg-stats-body");
    var table = el("table");
    [["actors", s.actors], ["statements", s.statements], ["with a target", s.statements_with_target],
     ["documents", s.documents], ["connected pairs", s.connected_pairs], ["components", s.components]]
      .forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(el("td", null, row[0]));
        tr.appendChild(el("td", null, row[1]));
        table.appendChild(tr);
      });
    body.appendChild(table);
    function ranking(title, items, digits, id) {
      body.appendChild(el("h3", null, title));
      var ol = el("ol");
      ol.id = id;
      items.forEach(function (r) {
        var li = el("li");
        li.appendChild(actorButton(r.key, r.label));
        li.appendChild(el("span", "kg-count", " " + (digits ? r.value.toFixed(digits) : r.value)));
        ol.appendChild(li);
      });
      if (!items.length) ol.appendChild(el("li", "kg-muted", "none"));
      body.appendChild(ol);
    }
    ranking("Top actors by degree", s.top_degree, 0, "kg-top-degree");
    ranking("Top actors by betweenness" + (s.betweenness_sample ? " (estimated)" : ""), s.top_betweenness, 3,
      "kg-top-betweenness");
    body.appendChild(el("h3", null, "Communities (" + s.communities_total + ")"));
    var ol = el("ol");
    ol.id = "kg-communities";
    s.communities.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("span", null, c.size + " actors: "));
      c.members.forEach(function (m, i) {
        if (i) li.appendChild(document.createTextNode(", "));
        li.appendChild(actorButton(m.key, m.label));
      });
      if (c.size > c.members.length) li.appendChild(document.createTextNode(", …"));
      ol.appendChild(li);
    });
    if (!s.communities.length) ol.appendChild(el("li", "kg-muted", "none"));
    body.appendChild(ol);
  }

  buildLegend();
  buildSearch();
  buildStats();
  updateSummary();

  window.kg = {
    network: network,
    nodes: nodes,
    edges: edges,
    nodeView: nodeView,
    edgeView: edgeView,
    state: state,
    payload: kg,
    focusActor: focusActor,
    showMore: showMore,
    showAll: showAll,
    showNeighbourhood: showNeighbourhood,
  };
})();
