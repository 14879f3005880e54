/* What the app does in the browser, without a round trip to the server (ui/callbacks.py,
   register_clientside_callbacks): play ticks from prepared frames, the
   language switch, copying the share link, and folding the lever panel. */
/* Dash 4 checks, on every change of its store, every component path ever updated for each
   component marked ``dashChildrenUpdate`` (re-render when a child changes). Mantine marks its
   hover cards, tooltips and menu items so, and the page has about fifty of them: that check was
   most of the browser's time after a lever change. Their children here are fixed texts and
   buttons that re-render themselves, so the parents need not follow them. */
(function () {
  const lib = window.dash_mantine_components || {};
  ["HoverCardDropdown", "Tooltip", "MenuDropdown", "MenuItem", "MenuLabel"].forEach(function (name) {
    if (lib[name]) { delete lib[name].dashChildrenUpdate; }
  });
})();

window.plasticSim = (function () {
  const noUpdate = () => window.dash_clientside.no_update;
  const setProps = (id, props) => window.dash_clientside.set_props(id, props);

  function setText(card, selector, text) {
    const el = card.querySelector(selector);
    if (el && el.textContent !== text) { el.textContent = text; }
  }

  function showCards(cards) {
    for (const c of cards || []) {
      const card = document.getElementById("card-" + c.indicator);
      if (!card) { continue; }
      setText(card, ".card-value", c.value);
      setText(card, ".card-unit", c.unit);
      setText(card, ".card-delta .mantine-Badge-label", c.delta);
      setText(card, ".card-baseline", c.baseline);
      card.classList.remove("tone-good", "tone-bad", "tone-neutral");
      card.classList.add("tone-" + c.tone);
    }
  }

  /* Cut this scenario's lines at ``year`` and move the year marks, in the chart itself (one
     Plotly.update, no re-render of the component). */
  function drawTrendsUpTo(figure, year) {
    const graph = document.querySelector("#trends-graph .js-plotly-plot");
    if (!graph || !window.Plotly) { return; }
    const xs = [], ys = [], indices = [];
    figure.data.forEach(function (trace, i) {
      if (trace.meta !== "current") { return; }
      const keep = trace.x.filter(x => x <= year).length;
      xs.push(trace.x.slice(0, keep));
      ys.push(trace.y.slice(0, keep));
      indices.push(i);
    });
    const shapes = (figure.layout.shapes || []).filter(s => s.name !== "year");
    indices.forEach(function (_, k) {
      const axis = k === 0 ? "" : String(k + 1);
      shapes.push({
        type: "line", name: "year", x0: year, x1: year, xref: "x" + axis, y0: 0, y1: 1,
        yref: "y" + axis + " domain", line: { color: "#adb5bd", width: 1 },
      });
    });
    if (graph.data && graph.data.length === figure.data.length) {
      window.Plotly.update(graph, { x: xs, y: ys }, { shapes: shapes }, indices);
    }
  }

  /* One tick of play: the next year's cards and trends from the frames prepared on Play. */
  function playTick(frames, year, first, last) {
    if (!frames) { return [noUpdate(), true, noUpdate()]; }
    const next = Math.min(last, Math.max(first, (year || first) + 1));
    showCards(frames.cards[String(next)]);
    if (frames.trends) { drawTrendsUpTo(frames.trends, next); }
    const done = next >= last;
    if (done) { setProps("play-button", { children: frames.labels.start }); }
    return [next, done, done ? next : null];
  }

  /* Reload the page in another language, keeping everything the share link holds. */
  function switchLanguage(chosen, lang, link) {
    if (!chosen || chosen === lang) { return noUpdate(); }
    const url = new URL(link || window.location.href, window.location.href);
    url.searchParams.set("lang", chosen);
    window.location.assign(url.toString());
    return noUpdate();
  }

  /* Copy the share link; say on the page whether it worked (browsers may refuse). */
  function copyLink(n, link, texts) {
    if (!n) { return noUpdate(); }
    const show = (message, colour) => setProps("page-message", { children: message, hide: false, color: colour });
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      show(texts.failed, "yellow");
      return noUpdate();
    }
    navigator.clipboard.writeText(link || "").then(
      () => show(texts.ok, "blue"),
      () => show(texts.failed, "yellow"),
    );
    return noUpdate();
  }

  /* The lever panel: a drawer on phones, a collapsible column on wider screens (folded in
     presenter mode). */
  function toggleNavbar(navbar, presenter) {
    const out = Object.assign({}, navbar, { collapsed: Object.assign({}, (navbar || {}).collapsed) });
    const trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
    if (trigger.startsWith("presenter-switch")) {
      out.collapsed.desktop = Boolean(presenter);
    } else if (window.matchMedia("(max-width: 47.99em)").matches) {
      out.collapsed.mobile = !out.collapsed.mobile;
    } else {
      out.collapsed.desktop = !out.collapsed.desktop;
    }
    return out;
  }

  /* Which chart to draw again (only that of the shown tab, when one of its inputs changed or
     the tab was opened) and whether the cards must be drawn again (a run brings its own cards,
     drawn against the baseline, year and band of when it started: ``cardsFor``). Charts of
     hidden tabs and cards that are already right cost no request. A chart alone is asked for
     after the next paint, so a run's cards show before the chart's request and drawing. */
  let ticks = 0;
  function routeCharts(spec, args) {
    const values = {};
    spec.inputs.forEach(function (name, i) { values[name] = args[i]; });
    const cardsFor = args[spec.inputs.length];
    const fired = ((window.dash_clientside.callback_context || {}).triggered || [])
      .map(t => t.prop_id).filter(p => p && p !== ".");
    const changed = name => fired.length === 0 || fired.includes(name);
    const tick = ++ticks;
    const shown = values[spec.tab];
    const out = spec.tabs.map(function ([tab, inputs]) {
      return tab === shown && (changed(spec.tab) || inputs.some(changed)) ? tick : noUpdate();
    });
    const result = values[spec.result], baseline = values[spec.baseline], band = values[spec.band];
    const bandDigest = band && result && band.digest === result.digest ? band.digest : null;
    const drawn = cardsFor && result && cardsFor.result === result.digest &&
      cardsFor.baseline === ((baseline && baseline.key) || null) &&
      cardsFor.band === bandDigest && cardsFor.year === values[spec.year];
    const cards = result && (spec.cards.some(changed) || (changed(spec.result) && !drawn));
    out.push(cards ? tick : noUpdate());
    return cards || out.every(v => v === noUpdate()) ? out : afterPaint(out);
  }

  /* ``value``, once the browser has painted what changed (a run's cards before the chart is
     asked for and drawn); at most 100 ms later where nothing is painted (a hidden page). */
  function afterPaint(value) {
    return new Promise(function (resolve) {
      let done = false;
      const go = function () { if (!done) { done = true; resolve(value); } };
      window.requestAnimationFrame(() => setTimeout(go, 0));
      setTimeout(go, 100);
    });
  }

  return { playTick, switchLanguage, copyLink, toggleNavbar, routeCharts };
})();
