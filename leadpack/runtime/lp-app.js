/* leadpack app: navigation, questions, reflections and notices. It talks to one adapter (SCORM 1.2, xAPI or
   standalone) through the same few calls, so nothing here knows which platform it runs in. */
(function () {
  "use strict";
  var d = LP.data, t = LP.t, pages = d.pages, $ = function (id) { return document.getElementById(id); };
  var state = LP.newState(), adapter = null, current = null, shownAt = Date.now(), ended = false;
  var sections = {}, store = LP.storage();
  /* Every element matching `selector` inside `root` (the document by default), as an array. */
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  all(".lp-page").forEach(function (s) { sections[s.dataset.page] = s; });

  function announce(text) {
    var region = $("lp-announcer");
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 60);
  }

  function notice(text) { $("lp-notice").textContent = text || ""; }

  /* "saved" only once the platform confirmed everything; "failed" (a save refused or unsent, a retry due) also goes
     to the live notice, since the status line is not a live region. */
  function onStatus(kind) {
    var messages = { saved: t("saved"), saving: t("saving"), failed: t("not_saved"), standalone: t("standalone") };
    $("lp-save").textContent = messages[kind] || "";
    $("lp-save").className = "lp-save lp-save-" + kind;
    if (kind === "failed") notice(t("save_failed"));
    else if (kind === "saved" && $("lp-notice").textContent === t("save_failed")) notice("");
  }

  /* ---- reflections kept on this device (storage = "device"), scoped to the learner ---- */
  function deviceKey() { return "leadpack:reflections:" + (adapter.learnerId || "local") + ":" + d.set.id; }
  function loadDeviceReflections() {
    if (d.storage !== "device" || !store) return;
    try { state.reflections = JSON.parse(store.getItem(deviceKey())) || {}; } catch (e) { state.reflections = {}; }
  }
  function saveDeviceReflections() {
    if (d.storage === "device" && store) store.setItem(deviceKey(), JSON.stringify(state.reflections));
  }

  /* ---- navigation ---- */
  function indexOf(id) { for (var i = 0; i < pages.length; i++) if (pages[i].id === id) return i; return -1; }

  function route() {
    var id = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
    return sections[id] ? id : null;
  }

  function go(id) {
    if (location.hash !== "#/" + id) location.hash = "#/" + id; else show(id);
  }

  function show(id, quiet) {
    if (!sections[id]) id = pages[0].id;
    Object.keys(sections).forEach(function (k) { sections[k].hidden = k !== id; });
    $("lp-resume").hidden = true;
    current = id;
    shownAt = Date.now();
    var i = indexOf(id), page = pages[i];
    if (page) {
      state.visited[page.key] = true;
      state.location = page.key;
    }
    updateNavigation();
    if (id === "reflections") renderReflections();
    var heading = sections[id].querySelector("h1");
    document.title = t("page_title", { page: heading.textContent, course: d.set.title }); /* WCAG 2.4.2 */
    if (!quiet) {
      heading.focus();
      announce(page ? t("page_changed", { title: page.title, n: i + 1, total: pages.length }) : heading.textContent);
    }
    if (page && !ended) {
      adapter.pageViewed(page, state);
      evaluate();
    }
  }

  /* One SCO per module, on a platform that can open the next one: the end of this module leads on to it. */
  function canContinue() { return !!(d.nextUnit && adapter && adapter.nextUnit && !ended); }

  function updateNavigation() {
    var i = indexOf(current), result = LP.evaluate(state);
    $("lp-prev").disabled = i <= 0 && current !== "reflections";
    $("lp-next").disabled = current === "reflections" && !canContinue();
    $("lp-page-count").textContent = i >= 0 ? t("page_of", { n: i + 1, total: pages.length }) : "";
    all(".lp-toc a").forEach(function (a) {
      var item = LP.pages.byId[a.dataset.page], here = a.dataset.page === current;
      var seen = item && state.visited[item.key];
      if (here) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
      a.classList.toggle("lp-visited", !!seen);
      a.querySelector(".lp-toc-state").textContent = item ? " (" + (here ? t("current_page") :
        seen ? t("visited") : t("not_visited")) + ")" : "";
    });
    $("lp-progress").setAttribute("aria-valuenow", result.percent);
    $("lp-progress").querySelector(".lp-progress-fill").style.width = result.percent + "%";
    $("lp-progress-text").textContent = t("progress", { percent: result.percent });
  }

  function step(delta) {
    var i = indexOf(current);
    if (current === "reflections" && delta > 0 && canContinue()) {
      ended = true;
      adapter.nextUnit(state);
      notice(t("opening_next_unit", { title: d.nextUnit.title }));
      return;
    }
    if (current === "reflections") i = pages.length;
    var next = i + delta;
    go(next >= pages.length ? "reflections" : pages[Math.max(0, next)].id);
  }

  function evaluate() {
    var result = LP.evaluate(state);
    adapter.evaluated(result, state);
    return result;
  }

  /* ---- knowledge checks ---- */
  function questionForm(id) { return document.querySelector('form[data-question="' + id + '"]'); }

  function showAnswer(form, question, response, announceIt) {
    var correct = LP.isCorrect(question, response);
    all("input", form).forEach(function (input) {
      input.checked = response.indexOf(input.value) >= 0;
      input.disabled = true;
    });
    all(".lp-option-feedback", form).forEach(function (f) { f.hidden = false; });
    all(".lp-option", form).forEach(function (o) {
      o.classList.toggle("lp-option-right", question.correct.indexOf(o.dataset.option) >= 0);
      o.classList.toggle("lp-option-chosen", response.indexOf(o.dataset.option) >= 0);
    });
    form.querySelector("button[type=submit]").hidden = true;
    var answer = question.correct.split("").map(function (k) { return question.options[k]; }).join("; ");
    var message = correct ? t("correct") : t("incorrect") + " " + t("correct_answer_was", { answer: answer });
    var feedback = form.querySelector(".lp-feedback");
    feedback.textContent = message;
    feedback.className = "lp-feedback " + (correct ? "lp-feedback-right" : "lp-feedback-wrong");
    if (announceIt) announce(message);
    return correct;
  }

  function onSubmit(event) {
    event.preventDefault();
    var form = event.target, question = LP.questions.byId[form.dataset.question];
    var chosen = all("input", form).filter(function (i) { return i.checked; })
      .map(function (i) { return i.value; }).join("");
    if (!chosen) { form.querySelector(".lp-feedback").textContent = t("choose_first"); announce(t("choose_first")); return; }
    if (state.answers[question.key] || ended) return;
    state.answers[question.key] = chosen;
    var correct = showAnswer(form, question, chosen, true);
    adapter.answered(question, chosen, correct, Date.now() - shownAt, state);
    evaluate();
  }

  /* ---- reflections ---- */
  function reflectionBox(id) { return document.querySelector('[data-reflection="' + id + '"]'); }

  function updateCounter(box, text) {
    if (d.storage === "lms") box.querySelector(".lp-counter").textContent =
      t("characters_left", { n: d.reflectionMax - text.length });
  }

  function onReflection(event) {
    var box = event.target.closest("[data-reflection]");
    if (!box) return;
    var reflection = LP.reflections.byId[box.dataset.reflection];
    var text = LP.cleanText(event.target.value, d.storage === "lms" ? d.reflectionMax : 0);
    state.reflections[reflection.key] = text;
    updateCounter(box, text);
    saveDeviceReflections();
    if (!ended && (event.type === "change" || d.storage === "lms")) adapter.reflected(reflection, state);
  }

  function writtenReflections() {
    return d.reflections.filter(function (r) { return state.reflections[r.key]; });
  }

  function renderReflections() {
    var list = $("lp-reflections-list"), written = writtenReflections();
    list.textContent = "";
    if (!written.length) { var p = document.createElement("p"); p.textContent = t("reflections_empty"); list.appendChild(p); return; }
    written.forEach(function (r) {
      var item = document.createElement("article"), h = document.createElement("h2"), body = document.createElement("p");
      h.textContent = r.prompt;
      body.textContent = state.reflections[r.key]; /* learner text is always text, never HTML */
      body.className = "lp-written";
      item.appendChild(h); item.appendChild(body); list.appendChild(item);
    });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }

  function downloadReflections() {
    var body = writtenReflections().map(function (r) {
      return "<h2>" + escapeHtml(r.prompt) + "</h2>\n<p>" +
        escapeHtml(state.reflections[r.key]) + "</p>";
    }).join("\n") || "<p>" + escapeHtml(t("reflections_empty")) + "</p>";
    var style = "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>body{font-family:system-ui," +
      "sans-serif;line-height:1.6;color:#1b1b1b;max-width:44rem;margin:2rem auto;padding:0 1rem}" +
      "p{white-space:pre-wrap}</style>";
    var html = "<!DOCTYPE html>\n<html lang=\"" + escapeHtml(d.language) + "\"><head><meta charset=\"utf-8\">" + style + "<title>" +
      escapeHtml(t("reflections_title") + ": " + d.set.title) + "</title></head><body><main><h1>" +
      escapeHtml(t("reflections_title")) + "</h1><p>" + escapeHtml(d.set.title) + "</p>\n" + body + "</main></body></html>\n";
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([html], { type: "text/html" }));
    link.download = d.set.id + "-reflections.html";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  function clearReflections(button) {
    if (button.dataset.confirming !== "yes") {
      button.dataset.confirming = "yes";
      button.textContent = button.dataset.confirm;
      return;
    }
    button.dataset.confirming = "";
    button.textContent = button.dataset.label;
    state.reflections = {};
    if (store) store.removeItem(deviceKey());
    all("[data-reflection] textarea").forEach(function (area) {
      area.value = "";
      updateCounter(area.closest("[data-reflection]"), "");
    });
    if (!ended) d.reflections.forEach(function (r) { adapter.reflected(r, state); });
    renderReflections();
    notice(t("cleared"));
  }

  /* ---- restoring a saved state ---- */
  function restore() {
    Object.keys(state.answers).forEach(function (key) {
      var question = LP.questions.byKey[key];
      if (question) showAnswer(questionForm(question.id), question, state.answers[key], false);
    });
    d.reflections.forEach(function (r) {
      var box = reflectionBox(r.id), text = state.reflections[r.key] || "";
      box.querySelector("textarea").value = text;
      updateCounter(box, text);
    });
  }

  function offerResume() {
    var bookmark = LP.pages.byKey[state.location];
    $("lp-resume-page").textContent = bookmark ? bookmark.title : "";
    Object.keys(sections).forEach(function (k) { sections[k].hidden = true; });
    $("lp-resume").hidden = false;
    $("lp-resume-title").focus();
    $("lp-resume-continue").onclick = function () { go(bookmark.id); };
    $("lp-resume-start").onclick = function () { go(pages[0].id); };
  }

  /* ---- session end: save on pagehide and when hidden; never rely on unload ---- */
  function end() {
    if (ended) return;
    ended = true;
    adapter.finish(state);
  }

  function wire() {
    $("lp-prev").addEventListener("click", function () { step(-1); });
    $("lp-next").addEventListener("click", function () { step(1); });
    window.addEventListener("hashchange", function () { var id = route(); if (id && id !== current) show(id); });
    document.addEventListener("submit", onSubmit);
    document.addEventListener("input", onReflection);
    document.addEventListener("change", onReflection);
    $("lp-print").addEventListener("click", function () { window.print(); });
    $("lp-download").addEventListener("click", downloadReflections);
    $("lp-clear").addEventListener("click", function (e) { clearReflections(e.currentTarget); });
    $("lp-exit").addEventListener("click", function () { end(); notice(t("exited")); });
    var toggle = $("lp-toc-toggle");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = open ? t("hide_contents") : t("show_contents");
      $("lp-toc").classList.toggle("lp-toc-open", open);
    });
    window.addEventListener("pagehide", end);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && !ended) adapter.flush(state);
    });
  }

  function begin(launch) {
    if (launch.learnerName) {
      $("lp-greeting").textContent = t("welcome", { name: launch.learnerName });
      $("lp-greeting").hidden = false;
    }
    if (launch.mode !== "normal") notice(t("review_mode"));
    if (typeof launch.passMark === "number") d.completion.passMark = launch.passMark; /* the LMS's own mark wins */
    if (launch.state) state = launch.state;
    loadDeviceReflections();
    restore();
    var wanted = route();
    if (launch.resume && LP.pages.byKey[state.location] && !wanted) { updateNavigation(); offerResume(); }
    else show(wanted || pages[0].id, !wanted);
  }

  function chooseAdapter() {
    var make = LP.adapters[d.format], made = make && make();
    return LP.checkAdapter(made || LP.adapters.standalone());
  }

  wire();
  adapter = chooseAdapter();
  adapter.onStatus = onStatus;
  window.LP.app = { adapter: adapter, state: function () { return state; }, go: go };
  adapter.start().then(begin, function (error) {
    adapter = LP.adapters.standalone();
    adapter.onStatus = onStatus;
    window.LP.app.adapter = adapter;
    if (window.console) console.warn("leadpack: " + String(error && error.message || error));
    notice(t("start_failed")); /* the learner reads the catalogue's words; the detail goes to the console */
    return adapter.start().then(begin);
  });
})();
