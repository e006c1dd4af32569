/* leadpack core: course data, the learner's state (id-keyed), its encoding, completion rules, and the adapter
   interface every platform implements. Shared by every adapter; knows no platform. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("lp-data").textContent);
  /* One index per kind: a page and a reflection may share an id (and so a key), never a kind. */
  function index(list) {
    var found = { byKey: {}, byId: {} };
    list.forEach(function (item) { found.byKey[item.key] = item; found.byId[item.id] = item; });
    return found;
  }
  var pages = index(data.pages), questions = index(data.questions), reflections = index(data.reflections);

  /* ---- languages: a package holds the set in one, unless lp-languages.js (shipped only in a package that holds
     it in several) replaces these with the learner's choice of them ---- */
  function onlyLanguage() { return data.language; }

  /* tries: tries at the knowledge checks after the first; kept: reflection keys whose saved text is longer than this
     build saves (from an earlier version), written back as they are until the learner edits them. */
  function newState() {
    return { visited: {}, answers: {}, reflections: {}, location: "", done: "", tries: 0, kept: {}, language: "" };
  }

  /* Learner text is saved as typed, without characters that would grow when encoded (control characters, lone
     surrogates), and ``max`` counts saved characters: a quote, backslash or line break takes two. */
  function savedLength(text) { return JSON.stringify(text).length - 2; }

  function fit(text, max) {
    while (max && savedLength(text) > max) { /* a character saves as one or two: cut half the excess at a time */
      text = text.slice(0, text.length - Math.ceil((savedLength(text) - max) / 2));
      if (/[\ud800-\udbff]$/.test(text)) text = text.slice(0, -1);
    }
    return text;
  }

  /* What a learner typed, made safe to save (U+241E separates an action plan's fields, so it is never typed). */
  function cleanText(text, max) {
    return fit(String(text).replace(/\r\n?/g, "\n")
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f\u241e]/g, "")
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/g, "$1\ufffd"), max);
  }

  function encodeState(state, withReflections) {
    var out = { v: data.stateVersion, l: state.location, p: "" };
    data.pages.forEach(function (p) { if (state.visited[p.key]) out.p += p.key; });
    out.a = {};
    Object.keys(state.answers).sort().forEach(function (k) { if (questions.byKey[k]) out.a[k] = state.answers[k]; });
    if (withReflections) {
      out.r = {};
      Object.keys(state.reflections).sort().forEach(function (k) {
        var text = state.reflections[k];
        if (reflections.byKey[k] && text) out.r[k] = state.kept[k] ? text : fit(text, data.reflectionMax);
      });
    }
    if (state.tries) out.t = state.tries;
    if (state.done) out.d = state.done;
    if (window.LP.languages.length > 1 && state.language) out.g = state.language;
    var json = JSON.stringify(out);
    /* Longer texts from an earlier version stay as they were, unless they would push the state past the limit. */
    if (json.length > data.limit && Object.keys(state.kept).length) {
      state.kept = {};
      return encodeState(state, withReflections);
    }
    return json;
  }

  /* Keys this build no longer knows are dropped: progress stays attached to the ids that remain. */
  function decodeState(text) {
    var state = newState(), raw;
    if (!text) return null;
    try { raw = JSON.parse(text); } catch (e) { return null; }
    if (!raw || raw.v !== data.stateVersion) return null;
    for (var i = 0, size = data.stateKeyLength; i + size <= String(raw.p || "").length; i += size) {
      var key = raw.p.substr(i, size);
      if (pages.byKey[key]) state.visited[key] = true;
    }
    Object.keys(raw.a || {}).forEach(function (k) { if (questions.byKey[k]) state.answers[k] = String(raw.a[k]); });
    Object.keys(raw.r || {}).forEach(function (k) { if (reflections.byKey[k]) state.reflections[k] = String(raw.r[k]); });
    state.location = pages.byKey[raw.l] ? raw.l : "";
    state.done = raw.d || "";
    state.tries = raw.t | 0;
    state.language = window.LP.matchLanguage(raw.g);
    Object.keys(state.reflections).forEach(function (k) {
      if (savedLength(state.reflections[k]) > data.reflectionMax) state.kept[k] = true;
    });
    return state;
  }

  function isCorrect(question, response) {
    return response.split("").sort().join("") === question.correct.split("").sort().join("");
  }

  /* Completion, score and pass/fail from the state, following the set's rule and pass mark. With a pass mark the
     checks are part of completing, so an LMS never holds "completed" without a score. */
  function evaluate(state) {
    var visited = data.pages.filter(function (p) { return state.visited[p.key]; }).length;
    var answered = data.questions.filter(function (q) { return state.answers[q.key]; });
    var right = answered.filter(function (q) { return isCorrect(q, state.answers[q.key]); }).length;
    var allAnswered = answered.length === data.questions.length;
    var checksCount = data.completion.rule === "all-pages-and-checks" || data.completion.passMark !== null;
    var complete = visited === data.pages.length && (!checksCount || allAnswered);
    var attempts = data.completion.attempts || 0;
    var result = {
      percent: Math.round(100 * visited / Math.max(1, data.pages.length)),
      complete: complete,
      scored: allAnswered && data.questions.length > 0,
      score: data.questions.length ? Math.round(100 * right / data.questions.length) : null,
      answered: answered.length, right: right,
      triesLeft: attempts ? Math.max(0, attempts - 1 - (state.tries | 0)) : Infinity,
      status: complete ? "completed" : "incomplete"
    };
    if (data.completion.passMark !== null && result.scored && complete) {
      result.status = result.score >= data.completion.passMark ? "passed" : "failed";
    }
    /* Ended: nothing is left to do in this attempt (passed, completed without a pass mark, or failed with no tries
       left), so the LMS may close it; until then the attempt stays open for the learner's return. */
    result.ended = result.status === "passed" || result.status === "completed" && data.completion.passMark === null ||
      result.status === "failed" && !result.triesLeft;
    return result;
  }

  /* ISO 8601 duration (xAPI, SCORM 2004), at 0.01 s precision. */
  function isoDuration(ms) {
    var cs = Math.round(ms / 10), h = Math.floor(cs / 360000), m = Math.floor(cs / 6000) % 60;
    return "PT" + (h ? h + "H" : "") + (m ? m + "M" : "") + (cs % 6000) / 100 + "S";
  }

  /* A number as the learner's language writes it (Intl), or as it is where the browser cannot. */
  function number(n) {
    try { return new Intl.NumberFormat(data.language).format(n); } catch (e) { return String(n); }
  }

  function t(name, values) {
    return String(data.strings[name] || name).replace(/\{(\w+)\}/g, function (all, key) {
      if (!values || !(key in values)) return all;
      return typeof values[key] === "number" ? number(values[key]) : values[key];
    });
  }

  function storage() {
    try { var s = window.localStorage; s.setItem("lp-test", "1"); s.removeItem("lp-test"); return s; }
    catch (e) { return null; }
  }

  /* The adapter interface (one adapter per format, plus standalone); the app calls only these:
       start() → Promise of { learnerName, state, resume, mode, passMark (optional: the LMS's own),
         language (optional: the platform's language preference for the learner, a tag or a list of tags) }
       pageViewed(page, state) · answered(question, response, correct, latencyMs, state) ·
       reflected(reflection, state) · evaluated(result, state) · flush(state): the page is being hidden ·
       languageChosen(language, state): the learner sees the course in this language now (at the start, and at
         each switch; state.language holds it) · finish(state): the learner leaves (once); false when the
         platform did not confirm the last save
     and an adapter reports saving through onStatus("saving" | "saved" | "failed" | "standalone"). */
  var ADAPTER_METHODS = ["start", "pageViewed", "answered", "reflected", "evaluated", "flush", "languageChosen",
    "finish"];

  function adapter(name, fields) {
    var made = { name: name, learnerId: "", errors: [], onStatus: function () {} };
    for (var k in fields || {}) made[k] = fields[k];
    return made;
  }

  function checkAdapter(made) {
    ADAPTER_METHODS.forEach(function (m) {
      if (typeof made[m] !== "function") throw new Error("the " + made.name + " adapter has no " + m + "()");
    });
    return made;
  }

  window.LP = {
    data: data, pages: pages, questions: questions, reflections: reflections, newState: newState, encodeState: encodeState,
    decodeState: decodeState, evaluate: evaluate, isCorrect: isCorrect, cleanText: cleanText, savedLength: savedLength,
    isoDuration: isoDuration, t: t,
    storage: storage, adapters: {}, adapter: adapter, checkAdapter: checkAdapter, languages: [],
    useLanguage: onlyLanguage, startLanguage: onlyLanguage, matchLanguage: function () { return ""; }
  };
})();
