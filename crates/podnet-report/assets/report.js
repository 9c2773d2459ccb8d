// podnet report: renders the embedded podnet.report/v1 document
// (docs/report.md). No network access: everything is in this file.
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("podnet-data").textContent);
  const M = D.matrix;
  // Cells come as arrays (docs/report.md); named here.
  M.cells = M.cells.map(([src, dst, net, pairs, possible, all, conns, lines, flows]) => ({
    src, dst, network: M.networks[net], pairs, possible, any_all: all === 1,
    conns: M.conns[conns], text: M.conns[conns].text, lines, flows }));
  // Rows and columns drawn at most: a dense cluster has hundreds of
  // namespaces; the filters reach the others.
  const MAX_ENDS = 60;
  // Cells drawn at most as graph edges (the layout's time grows fast).
  const MAX_GRAPH_CELLS = 400;
  const $ = (id) => document.getElementById(id);

  // Builds an element: el("td", {class: "x", title: "t"}, child, "text", ...).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(e.dataset, v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }
  const table = (head, rows, cls) =>
    el("table", { class: cls }, el("tr", {}, head.map((h) => el("th", {}, h))),
      rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c)))));
  const badge = (text, cls) => el("span", { class: "badge " + (cls || "") }, text);
  const fileLine = (file, line) => file ? file + (line ? ":" + line : "") : "";

  // ---------- tabs ----------
  function show(tab) {
    for (const b of document.querySelectorAll("nav button"))
      b.classList.toggle("active", b.dataset.tab === tab);
    for (const s of document.querySelectorAll("section.tab"))
      s.classList.toggle("active", s.id === tab);
    if (tab === "connectivity" && state.view === "graph") drawGraph();
  }
  for (const b of document.querySelectorAll("nav button"))
    b.addEventListener("click", () => show(b.dataset.tab));
  $("inputs").textContent = D.inputs.join(" ") +
    (D.change ? "  compared with  " + D.change.against : "") +
    (D.skipped_documents ? "  (" + D.skipped_documents + " documents skipped because of errors)" : "");

  const findingsTotal = D.audit.findings.length + Object.values(D.findings_left_out).reduce((x, y) => x + y, 0);

  // ---------- 1 overview ----------
  function renderOverview() {
    const o = D.overview, a = D.audit, s = a.summary;
    const sec = $("overview");
    const strat = new Map(s.namespaces.map((n) => [n.name, n]));
    sec.append(
      el("h2", {}, "Overview"),
      el("div", { class: "cards" },
        [[o.namespaces.length, "namespaces"], [M.members.filter((m) => m.kind).length, "workloads"],
         [o.pods, "pods"], [o.services, "services"], [o.nodes, "nodes"], [M.pairs, "allowed connections"],
         [findingsTotal, "findings"]].map(([n, t]) => el("div", { class: "card" }, el("b", {}, n), el("span", {}, t)))),
      el("h3", {}, "Policies by tier (in evaluation order)"),
      table(["admin (AdminNetworkPolicy)", "NetworkPolicy", "baseline (BaselineAdminNetworkPolicy)", "MultiNetworkPolicy"],
        [[o.tiers.admin, o.tiers.network_policy, o.tiers.baseline, o.tiers.multi_network_policy]], "tiers"),
      el("h3", {}, "Namespace strategy: ", el("b", { id: "strategy" }, s.strategy)),
      table(["namespace", "workloads", "pods", "NetworkPolicies", "isolation", "policy coverage", "RBAC scope", "quota", "fault isolation"],
        o.namespaces.map((n) => {
          const t = strat.get(n.name) || {};
          return [n.name, n.workloads, n.pods, n.network_policies + (n.multi_network_policies ? " + " + n.multi_network_policies + " multi" : ""),
            t.isolation ? badge(t.isolation, "lvl-" + t.isolation) : "", t.policy_coverage || "", t.rbac_scope || "", t.quota || "", t.fault_isolation || ""];
        }).concat([[el("b", {}, "cluster"), "", "", "", badge(s.cluster.isolation, "lvl-" + s.cluster.isolation),
          s.cluster.policy_coverage, s.cluster.rbac_scope, s.cluster.quota, s.cluster.fault_isolation]]), "namespaces"));
  }

  // ---------- 2 connectivity ----------
  const state = { view: "matrix", selected: null, graph: null, graphKey: "" };
  const explained = new Map(D.explanations.map((e) => [e.src + ">" + e.dst, e.text]));
  const endKey = (e) => e.kind + ":" + e.name;

  // Ends of the change that the new cluster lacks get rows of their own.
  const ends = M.ends.map((e) => Object.assign({ old: false }, e));
  const endIndex = new Map(ends.map((e, i) => [endKey(e), i]));
  const membersByEnd = ends.map(() => []);
  M.members.forEach((m, i) => membersByEnd[m.end].push(i));

  function peerEnd(p) {
    let key;
    if (p.workload) key = "namespace:" + p.workload.namespace;
    else if (p.external) key = "outside:" + p.external.join(", ");
    else if (p.ingress_controller) key = "ingress_controller:[ingress-controller]";
    else if (p.gateway) key = "gateway:" + p.gateway.namespace + "/" + p.gateway.name;
    if (!endIndex.has(key)) {
      const i = key.indexOf(":");
      ends.push({ kind: key.slice(0, i), name: key.slice(i + 1), old: true });
      membersByEnd.push([]);
      endIndex.set(key, ends.length - 1);
    }
    return endIndex.get(key);
  }
  const peerText = (p) => p.workload ? p.workload.namespace + "/" + p.workload.name + "[" + p.workload.kind + "]"
    : p.external ? p.external.join(", ") : p.ingress_controller ? "[ingress-controller]"
    : p.gateway ? "[gateway " + p.gateway.namespace + "/" + p.gateway.name + "]" : "?";
  const connsText = (c) => !c ? "" : c.all ? "All Connections"
    : Object.entries(c.ports || {}).map(([p, l]) => p + " " + l.join(",")).join("; ");

  // Changes by cell: "s>d" -> {added, removed, changed, list}.
  const changes = new Map();
  if (D.change) for (const c of D.change.diff.changes) {
    const k = peerEnd(c.src) + ">" + peerEnd(c.dst);
    if (!changes.has(k)) changes.set(k, { added: 0, removed: 0, changed: 0, list: [] });
    const x = changes.get(k);
    x[c.change]++;
    x.list.push(c);
  }
  const changeKind = (x) => !x ? null : x.changed || (x.added && x.removed) ? "changed" : x.added ? "added" : "removed";
  const MARK = { added: "+", removed: "\u2212", changed: "~" };

  // Cells by "s>d", merged over the networks the filter keeps.
  function portMatch(conns, proto, port) {
    if (!proto && !port) return true;
    if (conns.all) return true;
    for (const [p, list] of Object.entries(conns.ports || {})) {
      if (proto && p !== proto) continue;
      if (!port) return true;
      for (const r of list) {
        const [lo, hi] = r.split("-").map(Number);
        if (port >= lo && port <= (hi || lo)) return true;
      }
    }
    return false;
  }
  function endMatches(e, q) {
    if (!q) return true;
    if (ends[e].name.toLowerCase().includes(q)) return true;
    return membersByEnd[e].some((m) => M.members[m].name.toLowerCase().includes(q));
  }
  function visibleCells() {
    const q = $("search").value.trim().toLowerCase();
    const ns = $("f-namespace").value, net = $("f-network").value;
    const proto = $("f-protocol").value, port = Number($("f-port").value) || 0;
    const out = new Map();
    M.cells.forEach((c, i) => {
      if (net && c.network !== net) return;
      if (ns && ends[c.src].name !== ns && ends[c.dst].name !== ns) return;
      if (q && !endMatches(c.src, q) && !endMatches(c.dst, q)) return;
      if (!portMatch(c.conns, proto, port)) return;
      const k = c.src + ">" + c.dst;
      if (!out.has(k)) out.set(k, { src: c.src, dst: c.dst, cells: [], pairs: 0, possible: c.possible, all: false, text: [] });
      const v = out.get(k);
      v.cells.push(i);
      v.pairs = Math.max(v.pairs, c.pairs);
      v.all = v.all || c.any_all;
      v.text.push((M.networks.length > 1 ? c.network + ": " : "") + c.text);
    });
    return { cells: out, filtered: !!(q || ns || net || proto || port) };
  }
  function colour(v) {
    const f = v.possible ? Math.min(1, v.pairs / v.possible) : 1;
    // Blue when only some ports are open, red when some pair allows every
    // connection; the more of the possible pairs, the darker.
    return v.all ? "hsl(8, 80%, " + Math.round(78 - 26 * f) + "%)" : "hsl(212, 75%, " + Math.round(90 - 26 * f) + "%)";
  }

  function renderMatrix() {
    const { cells, filtered } = visibleCells();
    const marks = $("f-changes").checked;
    let rows = ends.map((_, i) => i), cols = rows.slice();
    const changeKeys = marks ? [...changes.keys()] : [];
    if (filtered) {
      const used = (side) => new Set([...cells.values()].map((v) => v[side]));
      const rs = used("src"), cs = used("dst");
      rows = rows.filter((i) => rs.has(i));
      cols = cols.filter((i) => cs.has(i));
    } else {
      rows = rows.filter((i) => !ends[i].old || changeKeys.some((k) => k.startsWith(i + ">")));
      cols = cols.filter((i) => !ends[i].old || changeKeys.some((k) => k.endsWith(">" + i)));
    }
    const capped = rows.length > MAX_ENDS || cols.length > MAX_ENDS;
    const note = capped ? "; drawing " + Math.min(rows.length, MAX_ENDS) + " of " + rows.length + " rows and " +
      Math.min(cols.length, MAX_ENDS) + " of " + cols.length + " columns: choose a namespace or search to see the others" : "";
    rows = rows.slice(0, MAX_ENDS);
    cols = cols.slice(0, MAX_ENDS);
    const t = el("table", { class: "matrix", id: "matrix-table" },
      el("tr", {}, el("th", { class: "corner" }, "from \\ to"),
        cols.map((j) => el("th", { class: "col end-" + ends[j].kind, title: ends[j].name }, ends[j].name))));
    for (const i of rows) {
      const tr = el("tr", { class: ends[i].old ? "only-old" : null },
        el("th", { class: "row end-" + ends[i].kind, title: ends[i].old ? "only in the compared version" : ends[i].name }, ends[i].name));
      for (const j of cols) {
        const k = i + ">" + j, v = cells.get(k);
        const ch = marks && (!filtered || v) ? changeKind(changes.get(k)) : null;
        const td = el("td", {
          class: ["cell", v ? "on allowed" : "", v && v.all ? "all" : "", ch ? "chg-" + ch : ""].join(" ").trim(),
          dataset: { src: ends[i].name, dst: ends[j].name, key: k },
          title: v ? ends[i].name + " \u2192 " + ends[j].name + ": " + v.text.join(" | ") + " (" + v.pairs + "/" + v.possible + " pairs)" : null,
          style: v ? "background:" + colour(v) : null,
        }, ch ? el("span", { class: "mark " + ch }, MARK[ch]) : null, v ? short(v.text.join(" | ")) : "");
        if (v || ch) td.addEventListener("click", () => zoom(i, j));
        if (ch && !v) td.classList.add("on");
        tr.append(td);
      }
      t.append(tr);
    }
    $("matrix").replaceChildren(t);
    $("shown").textContent = cells.size + " of " + totalCells + " cells shown" + note;
    if (state.view === "graph") drawGraph();
  }
  const totalCells = new Set(M.cells.map((c) => c.src + ">" + c.dst)).size;
  const short = (s) => s.length > 14 ? s.slice(0, 13) + "\u2026" : s;

  function renderLegend() {
    const sw = (v, t) => el("span", {}, el("i", { style: "background:" + colour(v) }), t);
    $("legend").append(...["How open:",
      sw({ pairs: 1, possible: 10 }, "few pairs, some ports"), sw({ pairs: 1, possible: 1 }, "every pair, some ports"),
      sw({ pairs: 1, possible: 10, all: true }, "few pairs, every connection"),
      sw({ pairs: 1, possible: 1, all: true }, "every pair, every connection (bold)"),
      D.change ? el("span", {}, el("span", { class: "mark added" }, "+"), "added ",
        el("span", { class: "mark removed" }, "\u2212"), "removed ", el("span", { class: "mark changed" }, "~"), "changed flows") : null,
      el("span", {}, "Click a cell to zoom into its workloads.")].filter((x) => x !== null));
  }

  // The zoom into one cell: grouped lines, changes, workload pairs.
  function zoom(i, j) {
    state.selected = [i, j];
    for (const td of document.querySelectorAll("td.selected")) td.classList.remove("selected");
    const td = document.querySelector('#matrix-table td[data-key="' + i + ">" + j + '"]');
    if (td) td.classList.add("selected");
    const cellIdx = M.cells.map((c, n) => [c, n]).filter(([c]) => c.src === i && c.dst === j);
    const box = el("div", { class: "zoomed", id: "zoomed" },
      el("h2", {}, ends[i].name + " \u2192 " + ends[j].name));
    for (const [c] of cellIdx) {
      box.append(el("p", {}, el("b", {}, c.text), " on network ", el("code", {}, c.network), ": ",
        c.pairs + " of " + c.possible + " pairs allowed"));
      const lines = c.lines.map((n) => D.groups[n]);
      if (lines.length) box.append(el("h3", {}, "Grouped lines (podnet connlist --group)"),
        el("ul", { class: "lines" }, lines.map((l) => el("li", {}, el("code", {}, l.src + " => " + l.dst + " : " + l.conns),
          l.network !== "default" ? " on " + l.network : "", el("span", { class: "muted" }, " (" + l.pairs + " pairs)")))));
    }
    const ch = changes.get(i + ">" + j);
    if (ch) box.append(el("h3", {}, "Changes"), changeTable(ch.list));
    box.append(pairTable(i, j, cellIdx.map(([c]) => c)));
    box.append(el("div", { id: "zoom-explain", class: "explanation" }));
    $("zoom").replaceChildren(box);
  }

  function pairTable(i, j, cells) {
    const src = membersByEnd[i], dst = membersByEnd[j];
    if (!src.length || !dst.length) return el("p", { class: "muted" }, "No workloads on this side in the analysed version.");
    if (cells.some((c) => !c.flows))
      return el("p", { class: "muted" }, "Too many connections to list one by one in this report (bounded size); the grouped lines above state them all.");
    if (src.length * dst.length > 2500)
      return el("p", { class: "muted" }, src.length + " \u00d7 " + dst.length + " workloads: narrow with the search box, or run podnet connlist.");
    const allowed = new Map();
    for (const c of cells) for (const [s, d, x] of c.flows) allowed.set(s + ">" + d, (allowed.has(s + ">" + d) ? allowed.get(s + ">" + d) + " | " : "") + M.conns[x].text);
    const t = el("table", { class: "pairs", id: "pairs-table" },
      el("tr", {}, el("th", {}, "from \\ to"), dst.map((d) => el("th", {}, M.members[d].name))));
    for (const s of src) {
      const tr = el("tr", {}, el("th", {}, M.members[s].name));
      for (const d of dst) {
        const k = s + ">" + d, a = allowed.get(k);
        if (s === d) { tr.append(el("td", { class: "muted" }, "")); continue; }
        tr.append(el("td", {
          class: "pair " + (a ? "allowed" : "denied"), dataset: { src: M.members[s].name, dst: M.members[d].name },
          onclick: (ev) => {
            for (const x of document.querySelectorAll("#pairs-table td.selected")) x.classList.remove("selected");
            ev.currentTarget.classList.add("selected");
            renderExplanation($("zoom-explain"), s, d);
          },
        }, a ? short(a) : "denied"));
      }
      t.append(tr);
    }
    return el("div", {}, el("h3", {}, "Workloads (click a pair to explain it)"), t);
  }

  // ---------- 3 explain ----------
  function explainCommand(s, d) {
    const a = M.members[s].explain, b = M.members[d].explain;
    if (!a || !b) return null;
    return "podnet explain " + D.inputs.join(" ") + " --from " + a + " --to " + b;
  }
  function renderExplanation(box, s, d) {
    const text = explained.get(s + ">" + d), cmd = explainCommand(s, d);
    box.replaceChildren(el("h3", {}, "Explain " + ends[M.members[s].end].name + "/" + M.members[s].name +
      " \u2192 " + ends[M.members[d].end].name + "/" + M.members[d].name),
      text ? el("pre", { class: "explain-text" }, text)
        : el("p", { class: "muted" }, "This pair's explanation is not embedded (the report's size is bounded)."),
      cmd ? el("p", { class: "muted" }, "The same from the command line: ", el("code", {}, cmd)) : null);
  }
  function renderExplainTab() {
    const sec = $("explain");
    const opts = () => M.members.map((m, i) => m.kind ? el("option", { value: i }, ends[m.end].name + "/" + m.name) : null);
    const from = el("select", { id: "x-from" }, opts()), to = el("select", { id: "x-to" }, opts());
    if (to.options.length > 1) to.selectedIndex = 1;
    const out = el("div", { id: "x-out", class: "explanation" });
    const go = () => renderExplanation(out, Number(from.value), Number(to.value));
    from.addEventListener("change", go);
    to.addEventListener("change", go);
    sec.append(el("h2", {}, "Explain"),
      el("p", {}, "Both sides' verdicts, with policy, rule and file:line, exactly as ", el("code", {}, "podnet explain"),
        " prints them. " + D.explanations.length + " pairs are embedded" +
        (D.explanations_left_out ? "; " + D.explanations_left_out + " others show the command to run." : ".") +
        " In Connectivity, click a cell, then a pair of workloads."),
      el("p", {}, el("label", {}, "from ", from), " ", el("label", {}, "to ", to)), out);
    if (from.options.length) go();
  }

  // ---------- graph ----------
  function drawGraph() {
    if (typeof cytoscape !== "function") return;
    const { cells, filtered } = visibleCells();
    const marks = $("f-changes").checked;
    const key = [...cells.keys()].join(",") + marks;
    if (state.graph && state.graphKey === key) return;
    state.graphKey = key;
    if (cells.size > MAX_GRAPH_CELLS) {
      if (state.graph) { state.graph.destroy(); state.graph = null; }
      $("graph-note").textContent = cells.size + " cells are too many to draw as a graph: choose a namespace or search (at most " + MAX_GRAPH_CELLS + ").";
      return;
    }
    const edgesOfMembers = [...cells.values()].reduce((n, v) => n + v.cells.reduce((m, c) => m + (M.cells[c].flows ? M.cells[c].flows.length : Infinity), 0), 0);
    const detailed = edgesOfMembers <= 600;
    const els = [], seen = new Set();
    const addEnd = (e) => {
      if (seen.has("e" + e)) return;
      seen.add("e" + e);
      els.push({ data: { id: "e" + e, label: ends[e].name }, classes: ends[e].kind });
    };
    const addMember = (m) => {
      addEnd(M.members[m].end);
      if (ends[M.members[m].end].kind !== "namespace") return "e" + M.members[m].end;
      if (!seen.has("m" + m)) {
        seen.add("m" + m);
        els.push({ data: { id: "m" + m, label: M.members[m].name, parent: "e" + M.members[m].end }, classes: "workload" });
      }
      return "m" + m;
    };
    for (const v of cells.values()) {
      const ch = marks ? changeKind(changes.get(v.src + ">" + v.dst)) : null;
      if (detailed) {
        for (const c of v.cells) for (const [s, d, x] of M.cells[c].flows) {
          els.push({ data: { id: "f" + c + "_" + s + "_" + d, source: addMember(s), target: addMember(d), label: M.conns[x].text }, classes: ch || "" });
        }
      } else {
        addEnd(v.src); addEnd(v.dst);
        els.push({ data: { id: "c" + v.src + "_" + v.dst, source: "e" + v.src, target: "e" + v.dst, label: short(v.text.join(" | ")) }, classes: ch || "" });
      }
    }
    // Cells only the old version has (every flow removed) as dashed edges.
    if (marks && !filtered) for (const [k, x] of changes) {
      if (cells.has(k)) continue;
      const [a, b] = k.split(">").map(Number);
      addEnd(a); addEnd(b);
      els.push({ data: { id: "x" + a + "_" + b, source: "e" + a, target: "e" + b, label: "" }, classes: changeKind(x) });
    }
    $("graph-note").textContent = detailed ? "Workloads inside their namespaces; outside ranges, the ingress controller and Gateways as their own nodes."
      : "Too many connections to draw one by one: namespaces and peers only (filter to see workloads).";
    if (state.graph) state.graph.destroy();
    state.graph = cytoscape({
      container: $("graph"), elements: els, wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 9, "background-color": "#2f5fb3", width: 14, height: 14 } },
        { selector: ":parent", style: { "background-color": "#eef1f5", "border-color": "#9aa5b8", "border-width": 1, "text-valign": "top", "font-size": 11 } },
        { selector: "node.outside", style: { shape: "diamond", "background-color": "#6a3fa0" } },
        { selector: "node.ingress_controller, node.gateway", style: { shape: "hexagon", "background-color": "#8e44ad" } },
        { selector: "edge", style: { width: 1.2, "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#9aa5b8", "target-arrow-color": "#9aa5b8", "font-size": 7, label: "data(label)", "text-rotation": "autorotate", color: "#5d6677" } },
        { selector: "edge.added", style: { "line-color": "#1f8a3b", "target-arrow-color": "#1f8a3b", width: 2.5 } },
        { selector: "edge.changed", style: { "line-color": "#d68910", "target-arrow-color": "#d68910", width: 2.5 } },
        { selector: "edge.removed", style: { "line-color": "#c0392b", "target-arrow-color": "#c0392b", width: 2.5, "line-style": "dashed" } },
      ],
      layout: { name: "cose", animate: false, nodeDimensionsIncludeLabels: true, randomize: true,
        nodeRepulsion: () => 400000, idealEdgeLength: () => 90, nodeOverlap: 20, componentSpacing: 60, padding: 20 },
    });
    state.graph.on("tap", "edge", (ev) => {
      const id = ev.target.id();
      const [a, b] = id.slice(1).split("_").map(Number);
      if (id[0] === "c" || id[0] === "x") zoom(a, b);
      else { const c = M.cells[a]; zoom(c.src, c.dst); }
    });
  }

  // ---------- 4 findings ----------
  function renderFindings() {
    const a = D.audit, sec = $("findings");
    sec.append(el("h2", {}, "Findings"),
      el("p", {}, ["error", "warning", "info"].map((s) => [badge((a.counts[s] || 0) + " " + s, "sev-" + s), " "])));
    for (const sev of ["error", "warning", "info"]) {
      const list = a.findings.filter((f) => f.severity === sev);
      if (!list.length) continue;
      sec.append(el("h3", {}, sev[0].toUpperCase() + sev.slice(1) + "s"));
      const byCode = new Map();
      for (const f of list) { if (!byCode.has(f.code)) byCode.set(f.code, []); byCode.get(f.code).push(f); }
      for (const [code, fs] of byCode) {
        sec.append(el("details", { class: "finding-group", dataset: { code } },
          el("summary", {}, el("code", {}, code), " ", fs[0].rule, " ", badge(fs.length, "sev-" + sev)),
          table(["object", "file:line", "finding", "fix"], fs.map((f) => [
            f.subject.kind + " " + (f.subject.namespace ? f.subject.namespace + "/" : "") + f.subject.name,
            el("code", {}, fileLine(f.subject.file, f.subject.line)), f.message, f.help]), "findings")));
      }
    }
    const left = Object.entries(D.findings_left_out);
    if (left.length) sec.append(el("p", { class: "muted" }, "Not listed here (bounded size; podnet audit lists them): " +
      left.map(([code, n]) => n + " more " + code).join(", ") + "."));
    if (!a.findings.length) sec.append(el("p", {}, "No findings."));
  }

  // ---------- 5 addresses ----------
  function renderAddresses() {
    const p = D.ipam, sec = $("addresses"), pr = p.profile;
    sec.append(el("h2", {}, "Addresses and load balancers"),
      el("p", {}, "Profile ", el("b", {}, pr.name), " (preset " + pr.preset + "): cluster CIDRs " + pr.cluster_cidrs.join(", ") +
        ", Service CIDRs " + pr.service_cidrs.join(", ") + ", CNI " + pr.cni + ", kube-proxy " + pr.kube_proxy),
      el("h3", {}, "Nodes and their blocks"),
      table(["node", "addresses", "blocks (used / capacity)", "pods", "origin"], p.nodes.map((n) => [n.name, n.internal_ips.join(", "),
        n.blocks.map((b) => b.cidr + " " + b.used + "/" + b.capacity + (b.declared ? "" : " (assumed)")).join("; "),
        n.pods + (n.max_pods ? " / " + n.max_pods : ""), n.origin]), "nodes"));
    if (p.pools.length) sec.append(el("h3", {}, "Static pools"),
      table(["pool", "kind", "CIDR", "used / capacity", "addresses"], p.pools.map((x) => [x.name, x.kind, x.cidr, x.used + "/" + x.capacity,
        x.addresses.map((a) => a.ip + " " + a.pod).join(", ")]), "pools"));
    sec.append(el("h3", {}, "Load balancers"));
    if (!p.load_balancers.length) sec.append(el("p", { class: "muted" }, "No Service of type LoadBalancer."));
    else sec.append(table(["Service", "controller", "addresses", "targets (why unhealthy)"], p.load_balancers.map((l) => [
      l.service, l.controller || "", l.addresses.length ? l.addresses.join(", ") : el("span", { class: "fails" }, "<pending> " + (l.pending || []).map(String).join("; ")),
      el("ul", { class: "lines" }, l.targets.map((t) => el("li", {}, el("span", { class: t.healthy ? "holds" : "fails" }, t.healthy ? "healthy" : "unhealthy"),
        " " + t.target + (t.port ? ":" + t.port : ""), t.why && t.why.length ? el("ul", {}, t.why.map((w) => el("li", {}, typeof w === "string" ? w : JSON.stringify(w)))) : null)))]), "lbs"));
    const un = (p.unaddressed_pods || []).length + (p.unplaced_pods || []).length;
    if (un) sec.append(el("h3", {}, "Pods without an address"),
      table(["pod", "why"], (p.unplaced_pods || []).map((u) => [u.pod, u.reason]).concat((p.unaddressed_pods || []).map((u) => [typeof u === "string" ? u : u.pod || JSON.stringify(u), u.reason || ""])), "unaddressed"));
    sec.append(el("h3", {}, "Service addresses"), el("p", {}, p.services.cluster_ips.length + " Services; DNS at " + (p.services.dns_ip || "none")));
  }

  // ---------- 6 change ----------
  function changeTable(list) {
    return el("table", { class: "changes" }, el("tr", {}, ["", "from", "to", "network", "before", "after"].map((h) => el("th", {}, h))),
      list.map((c) => el("tr", { class: c.change }, el("td", {}, MARK[c.change] + " " + c.change), el("td", {}, peerText(c.src)),
        el("td", {}, peerText(c.dst)), el("td", {}, c.network), el("td", {}, connsText(c.old)), el("td", {}, connsText(c.new)))));
  }
  function renderChange() {
    const sec = $("change");
    sec.append(el("h2", {}, "Change"));
    if (!D.change) sec.append(el("p", { class: "muted" }, "No comparison: run podnet report with --compare OLD or --git REV to see what a change adds, removes and changes."));
    else {
      const ds = D.change.diff.changes, n = (k) => ds.filter((c) => c.change === k).length;
      sec.append(el("p", { id: "change-summary" }, "Against " + D.change.against + ": ",
        el("span", { class: "mark added" }, n("added") + " added"), ", ", el("span", { class: "mark removed" }, n("removed") + " removed"), ", ",
        el("span", { class: "mark changed" }, n("changed") + " changed"), " flows; " + D.change.diff.unchanged + " unchanged." +
        (D.change.changes_left_out ? " " + D.change.changes_left_out + " more changes are not listed (bounded size)." : "") +
        " The matrix and the graph mark the cells they touch."), changeTable(ds));
    }
    sec.append(el("h3", {}, "Intents (podnet verify)"));
    if (!D.verify) { sec.append(el("p", { class: "muted" }, "No ConnectivityIntent in the inputs; pass --intents FILE.")); return; }
    sec.append(table(["intent", "rule", "severity", "file:line", "result", "counterexamples"], D.verify.intents.map((i) => [
      i.name, i.rule, badge(i.severity, "sev-" + i.severity), el("code", {}, fileLine(i.file, i.line)),
      el("span", { class: i.holds ? "holds" : "fails" }, i.holds ? "holds" : i.unknown ? "unknown" : "violated"),
      el("ul", { class: "lines" }, i.violations.map((v) => el("li", {}, v.kind + ": " + v.src + " \u2192 " + v.dst +
        (v.port ? " " + v.protocol + "/" + v.port : "") + " (" + connsText(v.offending) + ")")),
        i.truncated ? el("li", { class: "muted" }, "more not shown") : null)]), "verify"));
  }

  // ---------- wiring ----------
  for (const e of ends) if (e.kind === "namespace" && !e.old) $("f-namespace").append(el("option", {}, e.name));
  for (const n of M.networks) $("f-network").append(el("option", {}, n));
  if (!D.change) $("l-changes").hidden = true;
  for (const id of ["search", "f-port"]) for (const ev of ["input", "change"]) $(id).addEventListener(ev, renderMatrix);
  for (const id of ["f-namespace", "f-protocol", "f-network", "f-changes"]) $(id).addEventListener("change", renderMatrix);
  const setView = (v) => {
    state.view = v;
    $("v-matrix").classList.toggle("on", v === "matrix");
    $("v-graph").classList.toggle("on", v === "graph");
    $("matrix-view").hidden = v !== "matrix";
    $("graph-view").hidden = v !== "graph";
    if (v === "graph") drawGraph();
  };
  $("v-matrix").addEventListener("click", () => setView("matrix"));
  $("v-graph").addEventListener("click", () => setView("graph"));
  if (D.change) $("nav").querySelector('[data-tab="change"]').append(badge(D.change.changes));
  $("nav").querySelector('[data-tab="findings"]').append(badge(findingsTotal));

  renderOverview();
  renderLegend();
  renderMatrix();
  renderExplainTab();
  renderFindings();
  renderAddresses();
  renderChange();
  const tabs = [...document.querySelectorAll("nav button")].map((b) => b.dataset.tab);
  show(tabs.includes(location.hash.slice(1)) ? location.hash.slice(1) : "overview");
  // A tab's name in the address opens the tab; the page stays at its top.
  window.scrollTo(0, 0);
  document.body.dataset.ready = "true";
})();
