/* The panorama map's enterprises (chainmap): one cluster layer whose icons are rings showing the mix of
   directions, direction checkboxes in the legend, label and tier filters, and a search listing every hit.
   D is the compact table built by chainmap.panorama_map.enterprise_table. */
function chainmapPanorama(map, D, link) {
  "use strict";
  const esc = s => String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  const outside = D.directions.length - 1;
  const shown = D.directions.map((_, i) => i !== outside);  // 未归入本链 starts hidden

  function popup(r) {
    const segs = r[5].slice(0, 3).map(i => D.segments[i]).join("、") || D.directions[outside];
    const labels = D.labels.filter((_, i) => r[6] & (1 << i)).join("、");
    const where = r[8] ? "<br><i>位置为估计（街镇中心或园区代表点），非实测坐标</i>" : "";
    return "<b>" + esc(r[2]) + "</b><br>" + esc(segs) + (labels ? "<br>" + esc(labels) : "") + where +
      "<br><a href='" + esc(link.replace("{uscc}", encodeURIComponent(r[3]))) + "' target='_blank'>查找供应商</a>";
  }

  function marker(r) {
    const color = D.colors[r[4]];
    const m = L.circleMarker([r[0], r[1]], {radius: 6, color: color, weight: r[8] ? 1.5 : 1,
      dashArray: r[8] ? "2 2" : null, fillColor: color, fillOpacity: r[8] ? 0.15 : 0.8});
    m.bindPopup(() => popup(r));
    m.row = r;
    return m;
  }

  function ring(cluster) {
    const counts = D.colors.map(() => 0);
    for (const m of cluster.getAllChildMarkers()) counts[m.row[4]] += 1;
    const n = cluster.getChildCount(), size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 44 : 50;
    const h = size / 2, r = h - 5, around = 2 * Math.PI * r;
    let offset = 0, arcs = "";
    const parts = [];
    counts.forEach((k, i) => {
      if (!k) return;
      const length = around * k / n;
      arcs += "<circle class='cm-seg' data-direction='" + i + "' r='" + r + "' cx='" + h + "' cy='" + h +
        "' fill='none' stroke='" + D.colors[i] + "' stroke-width='8' stroke-dasharray='" + length + " " +
        (around - length) + "' stroke-dashoffset='" + (-offset) + "'/>";
      offset += length;
      parts.push(D.directions[i] + " " + k);
    });
    const svg = "<svg width='" + size + "' height='" + size + "'><title>" + esc(parts.join("、")) + "</title>" +
      "<circle r='" + (h - 1) + "' cx='" + h + "' cy='" + h + "' fill='#fff' fill-opacity='.92'/>" +
      "<g transform='rotate(-90 " + h + " " + h + ")'>" + arcs + "</g>" +
      "<text x='" + h + "' y='" + h + "' dy='.35em' text-anchor='middle'>" + n + "</text></svg>";
    return L.divIcon({html: svg, className: "cm-cluster", iconSize: [size, size]});
  }

  const markers = D.rows.map(marker);
  const group = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50,
    iconCreateFunction: ring, chunkProgress: (done, total) => done === total && later()}).addTo(map);
  const $ = id => document.getElementById(id);

  function passes(m) {
    const label = +$("cm-label").value, tier = +$("cm-tier").value;
    return (label < 0 || (m.row[6] & (1 << label))) && (tier < 0 || m.row[7] === tier);
  }

  function draw() {
    const keep = markers.filter(m => shown[m.row[4]] && passes(m));
    group.clearLayers();
    group.addLayers(keep);
    $("cm-count").textContent = "显示 " + keep.length + " 家";
  }

  function control(position, build) {
    const c = L.control({position: position});
    c.onAdd = function () {
      const div = L.DomUtil.create("div", "cm-box");
      div.innerHTML = build();
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return c.addTo(map);
  }

  const options = names => "<option value='-1'>全部</option>" +
    names.map((n, i) => "<option value='" + i + "'>" + esc(n) + "</option>").join("");
  control("topleft", () =>
    "<form id='cm-find'><input id='cm-search' type='search' placeholder='按企业名称搜索，列出全部结果'>" +
    " <button type='submit'>搜索</button></form>" +
    "标签 <select id='cm-label'>" + options(D.labels) + "</select> " +
    "层级 <select id='cm-tier'>" + options(D.tiers) + "</select> <span id='cm-count'></span>" +
    "<div id='cm-found'></div><ol id='cm-hits'></ol>");
  control("bottomright", () =>
    "<details class='cm-legend' open><summary>产业方向（勾选显示）</summary>" +
    D.directions.map((name, i) => "<label><input type='checkbox' data-direction='" + i + "'" +
      (shown[i] ? " checked" : "") + "><span class='cm-dot' style='background:" + D.colors[i] + "'></span>" +
      esc(name) + "</label>").join("") +
    "<div class='cm-note'>圆环：聚合点中各方向企业的占比，中间数字为企业数</div>" +
    "<div class='cm-note'>实心圆：坐标定位；空心虚线圆：位置为估计（街镇中心或园区代表点）</div>" +
    "<div class='cm-note'>虚线园区圈：点位可信度低；虚线街镇范围为示意，非行政边界</div>" +
    D.notes.map(note => "<div class='cm-note'>" + esc(note) + "</div>").join("") + "</details>");
  L.control.scale({imperial: false}).addTo(map);

  document.querySelectorAll(".cm-legend input[data-direction]").forEach(box => {
    box.onchange = () => { shown[+box.dataset.direction] = box.checked; draw(); };
  });
  $("cm-label").onchange = draw;
  $("cm-tier").onchange = draw;

  function select(m, item) {
    const direction = m.row[4];
    if (!shown[direction] || !passes(m)) {  // a hidden direction or a filter hides it: show it again
      shown[direction] = true;
      document.querySelector(".cm-legend input[data-direction='" + direction + "']").checked = true;
      if (!passes(m)) { $("cm-label").value = "-1"; $("cm-tier").value = "-1"; }
      draw();
    }
    document.querySelectorAll("#cm-hits .current").forEach(e => e.classList.remove("current"));
    item.classList.add("current");
    // zoomToShowLayer's callback can be lost when another zoom is under way: then open the popup at the point
    const opened = () => m.isPopupOpen() || map.openPopup(m.getPopup(), m.getLatLng());
    const show = () => group.hasLayer(m)
      ? (group.zoomToShowLayer(m, () => m.openPopup()), setTimeout(opened, 1500))
      : setTimeout(show, 50);
    show();  // a large redraw is added in chunks: wait until the marker is in
  }

  $("cm-find").onsubmit = function (event) {
    event.preventDefault();
    const text = $("cm-search").value.trim(), list = $("cm-hits");
    list.replaceChildren();
    if (!text) { $("cm-found").textContent = ""; return; }
    const hits = markers.filter(m => m.row[2].includes(text));
    $("cm-found").textContent = hits.length ? "找到 " + hits.length + " 家，点击名称定位" : "未找到";
    const items = document.createDocumentFragment();
    hits.forEach(m => {
      const item = document.createElement("li"), button = document.createElement("button");
      button.type = "button";
      button.textContent = m.row[2];
      button.title = D.directions[m.row[4]];
      button.style.borderLeftColor = D.colors[m.row[4]];
      button.onclick = () => select(m, item);
      item.appendChild(button);
      items.appendChild(item);
    });
    list.appendChild(items);
    if (hits.length === 1) select(hits[0], list.firstChild);
  };
  // Town and park names lie under the cluster rings: move each to a side of its point that no ring covers.
  const SIDES = ["below", "above", "right", "left"], GAP = 26;
  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  function placeLabels() {
    const taken = [...document.querySelectorAll(".cm-cluster")].map(e => e.getBoundingClientRect());
    document.querySelectorAll(".cm-label").forEach(icon => {
      const at = icon.getBoundingClientRect(), text = icon.firstChild, w = text.offsetWidth, h = text.offsetHeight;
      const box = side => {
        const left = side === "right" ? at.left + GAP : side === "left" ? at.left - GAP - w : at.left - w / 2;
        const top = side === "below" ? at.top + GAP : side === "above" ? at.top - GAP - h : at.top - h / 2;
        return {left: left, top: top, right: left + w, bottom: top + h};
      };
      const current = SIDES.find(side => icon.classList.contains("cm-" + side));
      const side = [current, ...SIDES].find(s => !taken.some(r => overlaps(box(s), r))) || current;
      SIDES.forEach(s => icon.classList.toggle("cm-" + s, s === side));
      taken.push(box(side));
    });
  }
  function later() { requestAnimationFrame(placeLabels); }  // a declaration: the cluster layer calls it early
  map.on("moveend zoomend", later);
  group.on("animationend", later);
  draw();
}
