/* leadpack app: the learner's journey (start page, pages, knowledge checks with results and retries, reflections and
   action plans, the end page with its certificate), navigation, notices and the choice of language. It talks to one
   adapter through the interface in lp-core.js, so nothing here knows which platform it runs in.
   Languages: the launch page holds the set in each of its languages (an LMS's session ends when its document
   unloads, so the page is never replaced): the one shown is the live .lp-language-version, each other waits in a
   <template> (inert, so its ids never meet the live one's). Switching puts another language's version in its place
   and paints it from the one state, so the learner keeps their place, answers and reflections. */
(function () {
  "use strict";
  var d = LP.data, t = LP.t, pages = d.pages, $ = function (id) { return document.getElementById(id); };
  var state = LP.newState(), adapter = null, current = null, shownAt = Date.now(), ended = false, learnerName = "";
  var recording = true; /* false in an LMS's browse or review mode: nothing the learner does is recorded */
  var sections = {}, store = LP.storage(), lms = d.storage === "lms", fullText = {};
  var live = one(".lp-language-version"), versions = {};
  var shownNotice = ["", null, false], saveKind = "";
  var ownName = "", resuming = false, overCap = {};
  var ORDER = ["start"].concat(pages.map(function (p) { return p.id; }), ["reflections", "finish"]);
  var PLAN = "\u241e"; /* separates an action plan's fields in its saved text */
  /* Every element matching `selector` inside `root` (the document by default), as an array. */
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  /* The first element matching `selector` inside `root` (the document by default). */
  function one(selector, root) { return (root || document).querySelector(selector); }
  /* Element `id` says `text` (always as text, never HTML), in its `className` where one is given. */
  function write(id, text, className) {
    $(id).textContent = text;
    if (className) $(id).className = className;
  }
  function on(target, type, listener) { target.addEventListener(type, listener); }
  function onClick(id, listener) { on($(id), "click", listener); }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function collectSections() {
    sections = {};
    all(".lp-page").forEach(function (s) { sections[s.dataset.page] = s; });
  }
  collectSections();
  if (live) versions[live.dataset.language] = { root: live, wired: false };
  all("template.lp-language-template").forEach(function (holder) {
    versions[holder.dataset.language] = { root: one(".lp-language-version", holder.content), wired: false };
  });

  function announce(text) {
    var region = $("lp-announcer");
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 60);
  }

  /* One live region for notices (a string's name and its values, so it can be said again in another language); a
     problem is drawn as an alert box, anything else as a plain note. */
  function notice(name, values, problem) {
    shownNotice = [name || "", values || null, !!problem];
    write("lp-notice", name ? t(name, values) : "", "lp-notice" + (problem ? " lp-notice-problem" : ""));
  }

  /* "saved" only once the platform confirmed everything; "failed" (a save refused or unsent, a retry due) also goes
     to the live notice, since the status line is not a live region. */
  function onStatus(kind) {
    saveKind = kind;
    showStatus();
    if (kind === "failed") notice("save_failed", null, true);
    else if (kind === "saved" && shownNotice[0] === "save_failed") notice("");
  }

  function showStatus() {
    var messages = { saved: "saved", saving: "saving", failed: "not_saved", standalone: "standalone" };
    write("lp-save", messages[saveKind] ? t(messages[saveKind]) : "", "lp-save lp-save-" + saveKind);
  }

  /* ---- what stays on this device, scoped to the learner: every reflection (storage "device"), or the whole text of
     a reflection longer than the learning record keeps ---- */
  function deviceKey() { return "leadpack:reflections:" + (adapter.learnerId || "local") + ":" + d.set.id; }
  function loadDevice() {
    var saved = {};
    try { saved = (store && JSON.parse(store.getItem(deviceKey()))) || {}; } catch (e) { saved = {}; }
    if (!lms) state.reflections = saved;
    else fullText = saved;
  }
  function saveDevice() {
    if (!store) return;
    var keep = lms ? fullText : state.reflections;
    try {
      if (Object.keys(keep).length) store.setItem(deviceKey(), JSON.stringify(keep)); else store.removeItem(deviceKey());
    } catch (e) { /* storage full: the learning record's copy is all there is */ }
  }

  /* ---- navigation: start, the pages, My reflections and action plan, the results ---- */
  function route() {
    var id = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
    return sections[id] ? id : null;
  }

  function go(id) {
    if (location.hash !== "#/" + id) location.hash = "#/" + id; else show(id);
  }

  function show(id, quiet) {
    if (!sections[id]) id = "start";
    resuming = false;
    current = id;
    shownAt = Date.now();
    var page = LP.pages.byId[id], i = pages.indexOf(page);
    if (page) {
      state.visited[page.key] = true;
      state.location = page.key;
    }
    var heading = display(id);
    if (!quiet) {
      heading.focus();
      announce(page ? t("page_changed", { title: page.title, n: i + 1, total: pages.length }) : heading.textContent);
      closeContents();
    }
    if (page && !ended) {
      adapter.pageViewed(page, state);
      evaluate();
    }
  }

  /* The page `id` shown, and everything around it brought up to date; returns its heading. */
  function display(id) {
    Object.keys(sections).forEach(function (k) { sections[k].hidden = k !== id; });
    $("lp-resume").hidden = true;
    $("lp-pager").hidden = false;
    updateNavigation();
    if (id === "reflections") renderReflections();
    if (id === "finish") renderFinish();
    var heading = one("h1", sections[id]);
    document.title = t("page_title", { page: heading.textContent, course: d.set.title }); /* WCAG 2.4.2 */
    return heading;
  }

  /* One SCO per module, on a platform that can open the next one: the end of this module leads on to it. */
  function canContinue() { return !!(d.nextUnit && adapter && adapter.nextUnit && !ended); }

  function pagesDone(list) { return list.filter(function (p) { return state.visited[p.key]; }).length; }

  /* How far the learner is through module `m`, as the contents and the results page both say it. */
  function moduleProgress(m) {
    var own = pages.filter(function (p) { return p.module === m.id; });
    return t("module_progress", { done: pagesDone(own), total: own.length });
  }

  function updateNavigation() {
    var i = ORDER.indexOf(current), page = LP.pages.byId[current], result = LP.evaluate(state);
    $("lp-prev").disabled = i <= 0;
    $("lp-next").disabled = current === "finish" && !canContinue();
    write("lp-page-count", page ? t("page_of", { n: pages.indexOf(page) + 1, total: pages.length }) : "");
    all(".lp-toc a").forEach(function (a) {
      var item = LP.pages.byId[a.dataset.page], here = a.dataset.page === current;
      var seen = item && state.visited[item.key];
      if (here) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
      a.classList.toggle("lp-visited", !!seen);
      one(".lp-toc-state", a).textContent = item ? " (" + (here ? t("current_page") :
        seen ? t("visited") : t("not_visited")) + ")" : "";
    });
    d.modules.forEach(function (m) {
      var counter = one('.lp-toc-module[data-module="' + m.id + '"] .lp-toc-progress');
      if (counter) counter.textContent = "(" + moduleProgress(m) + ")";
    });
    $("lp-progress").setAttribute("aria-valuenow", result.percent);
    one(".lp-progress-fill", $("lp-progress")).style.width = result.percent + "%";
    write("lp-progress-text", t("progress", { percent: result.percent }));
  }

  function step(delta) {
    if (current === "finish" && delta > 0 && canContinue()) {
      ended = true;
      if (adapter.nextUnit(state) === false) { /* the LMS will not open it from here: its own menu does */
        ended = false;
        notice("next_unit_from_lms", { title: d.nextUnit.title });
        return;
      }
      notice("opening_next_unit", { title: d.nextUnit.title });
      return;
    }
    go(ORDER[Math.max(0, Math.min(ORDER.length - 1, ORDER.indexOf(current) + delta))]);
  }

  function evaluate() {
    var result = LP.evaluate(state);
    adapter.evaluated(result, state);
    if (result.status === "passed" || result.status === "failed" && !result.triesLeft) revealAnswers();
    return result;
  }

  /* On a narrow screen the contents close once a page is chosen. */
  function closeContents() {
    if ($("lp-toc-toggle").offsetParent !== null && contentsOpen()) showContents(false);
  }

  function contentsOpen() { return $("lp-toc-toggle").getAttribute("aria-expanded") === "true"; }

  /* The contents shown or hidden on a narrow screen, and the toggle saying so. */
  function showContents(open) {
    $("lp-toc-toggle").setAttribute("aria-expanded", String(open));
    write("lp-toc-toggle", open ? t("hide_contents") : t("show_contents"));
    $("lp-toc").classList.toggle("lp-toc-open", open);
  }

  /* ---- knowledge checks: the right answer is shown once it cannot help a retry (answered right, passed, no tries
     left, or a check that is not scored); until then a wrong answer shows the feedback of the learner's choice ---- */
  function questionForm(id) { return one('form[data-question="' + id + '"]'); }

  function revealing(result) {
    return d.completion.passMark === null || result.status === "passed" || result.scored && !result.triesLeft;
  }

  function showAnswer(form, question, response, moveFocus) {
    var correct = LP.isCorrect(question, response), result = LP.evaluate(state), reveal = correct || revealing(result);
    all("input", form).forEach(function (input) {
      input.checked = response.indexOf(input.value) >= 0;
      input.disabled = true;
    });
    all(".lp-option", form).forEach(function (o) {
      var chosen = response.indexOf(o.dataset.option) >= 0;
      o.classList.toggle("lp-option-right", reveal && question.correct.indexOf(o.dataset.option) >= 0);
      o.classList.toggle("lp-option-chosen", chosen);
      one(".lp-option-feedback", o).hidden = !(reveal || chosen);
    });
    one("button[type=submit]", form).hidden = true;
    var answer = question.correct.split("").map(function (k) { return question.options[k]; }).join("; ");
    var message = correct ? t("correct") : t("incorrect") + (reveal ? " " + t("correct_answer_was", { answer: answer }) : "");
    if (d.completion.passMark !== null && !result.scored) {
      message += " " + t("score_so_far", { right: result.right, answered: result.answered,
        left: d.questions.length - result.answered });
    }
    var feedback = one(".lp-feedback", form);
    feedback.textContent = message;
    feedback.className = "lp-feedback " + (correct ? "lp-feedback-right" : "lp-feedback-wrong");
    if (moveFocus) {
      /* said with the verdict: the explanation of each option chosen, which shows above it in the options */
      var explained = all(".lp-option-chosen .lp-option-feedback", form).map(function (f) { return f.textContent; });
      feedback.focus();
      announce([message].concat(explained).join(" ").replace(/\s+/g, " ").trim());
    }
  }

  function reopen(form) {
    all("input", form).forEach(function (input) { input.checked = false; input.disabled = false; });
    all(".lp-option", form).forEach(function (o) {
      o.classList.remove("lp-option-right", "lp-option-chosen");
      one(".lp-option-feedback", o).hidden = true;
    });
    one("button[type=submit]", form).hidden = false;
    one(".lp-feedback", form).textContent = "";
  }

  function revealAnswers() {
    d.questions.forEach(function (q) {
      if (state.answers[q.key]) showAnswer(questionForm(q.id), q, state.answers[q.key], false);
    });
  }

  function onSubmit(event) {
    event.preventDefault();
    var form = event.target, question = LP.questions.byId[form.dataset.question];
    var chosen = all("input", form).filter(function (i) { return i.checked; })
      .map(function (i) { return i.value; }).join("");
    if (!chosen) { one(".lp-feedback", form).textContent = t("choose_first"); announce(t("choose_first")); return; }
    if (state.answers[question.key] || ended) return;
    state.answers[question.key] = chosen;
    showAnswer(form, question, chosen, true);
    adapter.answered(question, chosen, LP.isCorrect(question, chosen), Date.now() - shownAt, state);
    evaluate();
  }

  function wrongQuestions() {
    return d.questions.filter(function (q) { return state.answers[q.key] && !LP.isCorrect(q, state.answers[q.key]); });
  }

  /* Another try: the wrong answers are cleared and their questions open again; the first one is shown. */
  function retry() {
    var wrong = wrongQuestions();
    if (!wrong.length || ended) return;
    state.tries = Math.min(state.tries + 1, d.maxTries); /* the saved state's budget counts on no more */
    wrong.forEach(function (q) { delete state.answers[q.key]; reopen(questionForm(q.id)); });
    evaluate();
    go(questionForm(wrong[0].id).closest(".lp-page").dataset.page);
    notice("retry_open", { questions: wrong.map(function (q) { return q.text; }).join("; ") });
  }

  /* ---- reflections and action plans (an action plan's fields are saved as one text) ---- */
  function reflectionBox(id) { return one('[data-reflection="' + id + '"]'); }

  function boxText(box) {
    return all("textarea", box).map(function (area) { return LP.cleanText(area.value); }).join(PLAN);
  }

  function fillBox(box, text) {
    var parts = text.split(PLAN);
    all("textarea", box).forEach(function (area, i) { area.value = parts[i] || ""; });
    updateCounter(box, text);
  }

  /* What the learning record keeps of the text: all of it, its first characters (the rest on this device), or, for
     a text saved longer by an earlier version, all of it until the learner edits it. */
  function updateCounter(box, text) {
    if (!lms) return;
    var left = d.reflectionMax - LP.savedLength(text), kept = state.kept[LP.reflections.byId[box.dataset.reflection].key];
    one(".lp-counter", box).textContent = kept ? t("reflection_kept_longer", { max: d.reflectionMax }) :
      left >= 0 ? t("characters_left", { n: left }) : t("reflection_kept_here", { max: d.reflectionMax });
  }

  function onReflection(event) {
    var box = event.target.closest("[data-reflection]");
    if (!box) return;
    var reflection = LP.reflections.byId[box.dataset.reflection], text = boxText(box);
    state.reflections[reflection.key] = text;
    delete state.kept[reflection.key];
    var over = lms && LP.savedLength(text) > d.reflectionMax;
    if (over) fullText[reflection.key] = text;
    else delete fullText[reflection.key];
    updateCounter(box, text);
    /* the counter is not a live region (it changes at every key); crossing what the record keeps is said, once */
    if (over !== !!overCap[reflection.key]) {
      overCap[reflection.key] = over;
      if (over) announce(one(".lp-counter", box).textContent);
    }
    saveDevice();
    if (!ended && (event.type === "change" || lms)) adapter.reflected(reflection, state);
  }

  function written() { return d.reflections.filter(function (r) { return state.reflections[r.key]; }); }

  /* A plan as (label, answer) lines; a reflection as its one text. */
  function entries(r) {
    var text = state.reflections[r.key];
    if (r.kind !== "action-plan") return [["", text]];
    var parts = text.split(PLAN);
    return all("label", reflectionBox(r.id)).map(function (label, i) { return [label.textContent, parts[i] || ""]; });
  }

  /* Each reflection written so far as a headed article put into `into` (learner text is always text, never HTML),
     or a note that there are none: the My reflections page and its download show the same. */
  function putReflections(into) {
    if (!written().length) { into.appendChild(el("p", t("reflections_empty"))); return; }
    written().forEach(function (r) {
      var item = el("article");
      item.appendChild(el("h2", r.kind === "action-plan" ? t("action_plan") + ": " + r.prompt : r.prompt));
      entries(r).forEach(function (entry) {
        if (entry[0]) item.appendChild(el("h3", entry[0]));
        item.appendChild(el("p", entry[1], "lp-written"));
      });
      into.appendChild(item);
    });
  }

  function renderReflections() {
    var list = $("lp-reflections-list");
    list.textContent = "";
    putReflections(list);
    byline();
  }

  /* Whose reflections these are, from which set, and when: the line the printed page and the download start with
     (the name from the platform or typed for the certificate). */
  function byline() {
    var line = $("lp-reflections-byline");
    line.textContent = [line.dataset.set, certificateName(), today()].filter(Boolean).join(" · ");
    return line.textContent;
  }

  /* Today in the learner's language: by the browser's Intl where it knows the language, else by the catalogue's
     month names (a browser built without Welsh still writes "1 Rhagfyr 2026"), else in the numbers every reader
     does. */
  function today() {
    var now = new Date(), months = t("months").split(",");
    try {
      if (Intl.DateTimeFormat.supportedLocalesOf([d.language]).length) {
        return new Intl.DateTimeFormat(d.language, { dateStyle: "long" }).format(now);
      }
    } catch (e) { /* no Intl, or a language tag it refuses */ }
    if (months.length === 12) {
      return t("date", { day: String(now.getDate()), month: months[now.getMonth()].trim(), year: String(now.getFullYear()) });
    }
    return now.toISOString().slice(0, 10);
  }

  var EXPORT_STYLE = "body{font-family:system-ui,sans-serif;line-height:1.6;color:#1b1b1b;max-width:44rem;" +
    "margin:2rem auto;padding:0 1rem}p{white-space:pre-wrap}";

  /* The reflections as one HTML file of their own (its own style, nothing loaded from outside), built as elements
     and serialised by the browser, which escapes every text. */
  function downloadReflections() {
    var root = el("html"), head = el("head"), main = el("main"), charset = el("meta"), viewport = el("meta");
    root.lang = d.language;
    charset.setAttribute("charset", "utf-8");
    viewport.name = "viewport";
    viewport.content = "width=device-width, initial-scale=1";
    [charset, viewport, el("style", EXPORT_STYLE), el("title", t("reflections_title") + ": " + d.set.title)]
      .forEach(function (node) { head.appendChild(node); });
    main.appendChild(el("h1", t("reflections_title")));
    main.appendChild(el("p", byline()));
    putReflections(main);
    root.appendChild(head);
    root.appendChild(el("body")).appendChild(main);
    var html = "<!DOCTYPE html>\n" + root.outerHTML + "\n";
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
      announce(button.dataset.confirm); /* the focused button's new words, said: press again to clear */
      return;
    }
    button.dataset.confirming = "";
    button.textContent = button.dataset.label;
    state.reflections = {};
    state.kept = {};
    fullText = {};
    saveDevice();
    all("[data-reflection]").forEach(function (box) { fillBox(box, ""); });
    if (!ended) d.reflections.forEach(function (r) { adapter.reflected(r, state); });
    renderReflections();
    notice(lms ? "cleared_lms" : "cleared");
  }

  /* ---- the end: what is still to do, or the results and the certificate ---- */
  function links(list, className) {
    var ul = el("ul", undefined, className);
    list.forEach(function (item) {
      var li = el("li"), a = el("a", item[0]);
      a.href = "#/" + item[1];
      li.appendChild(a);
      ul.appendChild(li);
    });
    return ul;
  }

  function certificateName() { return learnerName || ownName.trim(); }

  function renderFinish() {
    var result = LP.evaluate(state), status = $("lp-finish-status"), box = $("lp-finish-result");
    var passMark = d.completion.passMark;
    status.textContent = "";
    box.textContent = "";
    if (result.complete) status.appendChild(el("p", t("finish_done", { course: d.set.title }), "lp-finish-done"));
    else {
      status.appendChild(el("p", t("finish_missing")));
      var unread = pages.filter(function (p) { return !state.visited[p.key]; });
      var open = d.questions.filter(function (q) { return !state.answers[q.key]; });
      if (unread.length) {
        status.appendChild(el("p", t("missing_pages")));
        status.appendChild(links(unread.map(function (p) { return [p.title, p.id]; }), "lp-missing-pages"));
      }
      if (open.length && (passMark !== null || d.completion.rule === "all-pages-and-checks")) {
        status.appendChild(el("p", t("missing_checks")));
        status.appendChild(links(open.map(function (q) {
          return [q.text, questionForm(q.id).closest(".lp-page").dataset.page]; }), "lp-missing-checks"));
      }
    }
    d.modules.forEach(function (m) {
      one('#lp-finish-modules [data-module="' + m.id + '"] .lp-finish-progress').textContent = moduleProgress(m);
    });
    /* Passed before (changed checks in a republished package): the learning record keeps the pass, so says so. */
    var passedBefore = passMark !== null && state.done === "p" && result.status !== "passed";
    if (passedBefore) box.appendChild(el("p", t("passed_before"), "lp-result"));
    if (passMark !== null && result.scored) {
      box.appendChild(el("p", t(result.score >= passMark ? "result_passed" : "result_failed",
        { score: result.score, pass_mark: passMark }), "lp-result"));
      var weak = d.modules.filter(function (m) {
        return wrongQuestions().some(function (q) { return q.module === m.id; }); });
      if (result.score < passMark && weak.length) {
        box.appendChild(el("p", t("revisit", { modules: weak.map(function (m) { return m.title; }).join(", ") })));
      }
      if (result.score < passMark) {
        box.appendChild(el("p", !result.triesLeft ? t("tries_used") : !recording ? t("retry_new_attempt") :
          isFinite(result.triesLeft) ? t("tries_left", { n: result.triesLeft }) : ""));
      }
    }
    $("lp-retry").hidden = !(passMark !== null && result.scored && result.score < passMark && result.triesLeft &&
      recording && !ended);
    var earned = result.complete && (passMark === null || result.status === "passed" || passedBefore);
    $("lp-certificate").hidden = $("lp-certificate-actions").hidden = !earned;
    if (earned) {
      write("lp-certificate-name", certificateName());
      one("label", $("lp-certificate-own-name").closest("div")).hidden = !!learnerName;
      $("lp-certificate-own-name").hidden = !!learnerName;
      write("lp-certificate-result", t("certificate_result", { result: passMark === null ?
        t("certificate_completed_result") : passedBefore ? t("certificate_passed_before") :
        t("certificate_passed", { score: result.score }) }));
      write("lp-certificate-date", t("certificate_date", { date: today() }));
    }
  }

  function printCertificate() {
    document.body.classList.add("lp-printing-certificate");
    window.print();
    setTimeout(function () { document.body.classList.remove("lp-printing-certificate"); }, 500);
  }

  /* ---- restoring a saved state ---- */
  function restore() {
    d.reflections.forEach(function (r) {
      var saved = state.reflections[r.key] || "", whole = fullText[r.key];
      /* the whole text kept on this device wins over the shorter copy the learning record holds */
      if (whole && whole.indexOf(saved) === 0) state.reflections[r.key] = saved = whole;
      else delete fullText[r.key];
      /* a text an earlier version saved longer than this one's record keeps: should the record have to cut it
         (the saved state would outgrow its limit), the whole of it is on this device too */
      if (lms && state.kept[r.key]) fullText[r.key] = saved;
    });
    if (lms) saveDevice();
  }

  /* The live language version drawn from the state and the session: answers, reflections, name, notices. */
  function paint() {
    d.questions.forEach(function (q) {
      var form = questionForm(q.id);
      if (state.answers[q.key]) showAnswer(form, q, state.answers[q.key], false); else reopen(form);
    });
    d.reflections.forEach(function (r) { fillBox(reflectionBox(r.id), state.reflections[r.key] || ""); });
    if (learnerName) {
      write("lp-greeting", t("welcome", { name: learnerName }));
      $("lp-greeting").hidden = false;
    }
    write("lp-start-saving", t(adapter.name === "standalone" ? "saving_device" : "saving_lms"));
    all(".lp-limit").forEach(function (s) { s.textContent = t(s.dataset.text, { max: d.reflectionMax }); });
    all(".lp-new-window").forEach(function (s) { s.textContent = " " + t("opens_new_tab"); });
    $("lp-certificate-own-name").value = ownName;
    all(".lp-language").forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.language === d.language)); });
    notice(shownNotice[0], shownNotice[1], shownNotice[2]);
    showStatus();
  }

  /* ---- languages ---- */
  function putLive(code) {
    var next = versions[code];
    if (!next || next.root === live) return;
    live.parentNode.replaceChild(next.root, live); /* the version that was live waits, detached, for its turn */
    live = next.root;
    document.documentElement.lang = code;
    collectSections();
    if (!next.wired) wireVersion();
  }

  /* The learner's choice: the same page, answers and reflections in another language. */
  function switchLanguage(code) {
    if (code === d.language || !versions[code]) return;
    state.language = LP.useLanguage(code);
    putLive(code);
    paint();
    if (resuming) offerResume(); else display(current || "start");
    one('.lp-language[data-language="' + code + '"]', live).focus();
    announce(t("language_changed"));
    if (!ended) adapter.languageChosen(code, state);
  }

  function offerResume() {
    var bookmark = LP.pages.byKey[state.location];
    resuming = true;
    write("lp-resume-page", bookmark ? bookmark.title : "");
    Object.keys(sections).forEach(function (k) { sections[k].hidden = true; });
    $("lp-pager").hidden = true;
    $("lp-resume").hidden = false;
    $("lp-resume-title").focus();
    $("lp-resume-continue").onclick = function () { go(bookmark.id); };
    $("lp-resume-start").onclick = function () { go("start"); };
  }

  /* ---- session end: save on pagehide and when hidden; never rely on unload ---- */
  /* The learner leaves: false when the platform did not confirm the last save. */
  function end() {
    if (ended) return undefined;
    ended = true;
    return adapter.finish(state);
  }

  /* What every language version has of its own (wired when it is first live; a detached one keeps its listeners). */
  function wireVersion() {
    versions[live.dataset.language].wired = true;
    onClick("lp-prev", function () { step(-1); });
    onClick("lp-next", function () { step(1); });
    onClick("lp-begin", function () { go(pages[0].id); });
    onClick("lp-retry", retry);
    onClick("lp-print", function () { window.print(); });
    onClick("lp-download", downloadReflections);
    onClick("lp-clear", function (e) { clearReflections(e.currentTarget); });
    onClick("lp-print-certificate", printCertificate);
    on($("lp-certificate-own-name"), "input", function (e) {
      ownName = e.target.value;
      write("lp-certificate-name", certificateName());
    });
    onClick("lp-exit", function () {
      if (end() === false) notice("exit_not_saved", null, true);
      else notice("exited");
    });
    all(".lp-language").forEach(function (b) {
      on(b, "click", function () { switchLanguage(b.dataset.language); });
    });
    $("lp-toc-toggle").hidden = false;
    onClick("lp-toc-toggle", function () { showContents(!contentsOpen()); });
  }

  /* What the document has once: routes, forms, the session's end. */
  function wire() {
    wireVersion();
    on(window, "hashchange", function () { var id = route(); if (id && id !== current) show(id); });
    on(document, "submit", onSubmit);
    on(document, "input", onReflection);
    on(document, "change", onReflection);
    on(window, "pagehide", end);
    on(document, "visibilitychange", function () {
      if (document.visibilityState === "hidden" && !ended) adapter.flush(state);
    });
  }

  function begin(launch) {
    learnerName = launch.learnerName || "";
    recording = launch.mode === "normal";
    if (!recording) notice(launch.mode === "browse" ? "browse_mode" : "review_mode");
    if (typeof launch.passMark === "number") d.completion.passMark = launch.passMark; /* the LMS's own mark wins */
    if (launch.state) state = launch.state;
    var several = LP.languages.length > 1;
    if (several) {
      state.language = LP.startLanguage(state, launch.language);
      putLive(state.language);
    }
    loadDevice();
    restore();
    paint();
    if (several && !ended) adapter.languageChosen(state.language, state);
    var wanted = route();
    if (launch.resume && LP.pages.byKey[state.location] && !wanted) { updateNavigation(); offerResume(); }
    else show(wanted || "start", !wanted);
    document.body.dataset.started = "true";
  }

  function chooseAdapter() {
    var make = LP.adapters[d.format], made = make && make();
    return LP.checkAdapter(made || LP.adapters.standalone());
  }

  wire();
  adapter = chooseAdapter();
  adapter.onStatus = onStatus;
  window.LP.app = { adapter: adapter, state: function () { return state; }, go: go, language: switchLanguage };
  adapter.start().then(begin, function (error) {
    adapter = LP.adapters.standalone();
    adapter.onStatus = onStatus;
    window.LP.app.adapter = adapter;
    if (window.console) console.warn("leadpack: " + String(error && error.message || error));
    notice("start_failed", null, true); /* the learner reads the catalogue's words; the detail goes to the console */
    return adapter.start().then(begin);
  });
})();
