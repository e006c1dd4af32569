/* The SCORM API session both SCORM adapters share (1.2 and 2004 differ in names, not in conduct): find the LMS's
   API object, keep one session per launch, check every call's result, and commit in batches with retries.
   LP.scormSession(dialect) returns null when no API is found (the app then runs standalone). dialect: { api:
   "API", steps: 7, initialize, terminate, getValue, setValue, commit, lastError } (method names). */
(function () {
  "use strict";

  function apiOn(win, name, probe) {
    try { return win[name] && typeof win[name][probe] === "function" ? win[name] : null; } catch (e) { return null; }
  }

  /* Our window, then its parents (at most `steps` of them), then the same from the opener (a new window). */
  function search(win, dialect) {
    for (var steps = 0; win && steps <= dialect.steps; steps++) {
      var api = apiOn(win, dialect.api, dialect.initialize);
      if (api) return api;
      var parent = null;
      try { parent = win.parent; } catch (e) { return null; }
      if (!parent || parent === win) return null;
      win = parent;
    }
    return null;
  }

  function findAPI(dialect) {
    var api = search(window, dialect), opener = null;
    try { opener = window.opener || (window.top && window.top.opener); } catch (e) { opener = null; }
    return api || (opener ? search(opener, dialect) : null);
  }

  LP.scormSession = function (dialect) {
    var api = findAPI(dialect);
    if (!api) return null;
    var finished = false, failures = 0, committedThisView = false, retryTimer = null, laterTimer = null;
    var LATER = 3000; /* what a page view did not commit reaches the LMS within a few seconds */
    var session = { dirty: false, started: 0, onStatus: function () {}, errors: [] };

    /* Every call is followed by the LMS's last error; nothing is called once the session has finished. */
    session.call = function (method, a, b) {
      if (finished) return { value: "", error: "0" };
      var result, code = "0";
      try { result = String(api[method](a === undefined ? "" : a, b)); } catch (e) { result = "false"; }
      try { code = String(api[dialect.lastError]()); } catch (e) { code = "101"; }
      if (code !== "0" && code !== "") session.errors.push(method + "(" + (a || "") + ") → " + code);
      return { value: result, error: code === "" ? "0" : code };
    };

    /* An element the LMS lacks or has not set answers with an error code: treat it as empty. */
    session.get = function (element) {
      var answer = session.call(dialect.getValue, element);
      return answer.error === "0" ? answer.value : "";
    };

    session.set = function (element, value) {
      return session.call(dialect.setValue, element, String(value)).value === "true";
    };

    /* Each of `values` set under `prefix`, in their order (an interaction's id goes first, its type next). */
    session.setAll = function (prefix, values) {
      Object.keys(values).forEach(function (name) { session.set(prefix + name, values[name]); });
    };

    session.initialize = function () {
      session.started = Date.now();
      return session.call(dialect.initialize).value === "true";
    };

    session.commit = function () {
      if (finished) return false;
      var ok = session.call(dialect.commit).value === "true";
      session.dirty = !ok;
      if (ok) { failures = 0; session.onStatus("saved"); return true; }
      failures++;
      session.onStatus("failed");
      clearTimeout(retryTimer);
      retryTimer = setTimeout(function () { if (session.dirty) session.commit(); },
        Math.min(30000, 1000 * Math.pow(2, failures)));
      return false;
    };

    /* Batched: at most one commit per page view; later changes (answers, reflections) follow a few seconds after. */
    session.commitSoon = function () {
      session.dirty = true;
      if (committedThisView || failures) { session.commitLater(); return; }
      committedThisView = true;
      session.commit();
    };

    session.commitLater = function () {
      session.dirty = true;
      if (laterTimer || failures) return;
      laterTimer = setTimeout(function () { laterTimer = null; if (session.dirty) session.commit(); }, LATER);
    };

    session.newView = function () { committedThisView = false; };

    /* The learner's state, in cmi.suspend_data in both versions (reflections in it only where the course keeps
       them in the LMS). */
    session.saveState = function (state) {
      session.set("cmi.suspend_data", LP.encodeState(state, LP.data.storage === "lms"));
    };

    /* A reflection goes to the LMS only where the course keeps reflections there; it follows a few seconds on. */
    session.reflected = function (reflection, state) {
      if (LP.data.storage !== "lms") return;
      session.saveState(state);
      session.commitLater();
    };

    /* A new interaction record, after those the LMS holds and those this session wrote (an LMS that cannot count
       them is fine): its element prefix once its id is set, else null. */
    var interactions = 0;
    session.interaction = function (id) {
      var n = parseInt(session.get("cmi.interactions._count"), 10);
      n = isNaN(n) ? interactions : Math.max(n, interactions);
      var prefix = "cmi.interactions." + n + ".";
      if (!session.set(prefix + "id", id)) return null;
      interactions = n + 1;
      return prefix;
    };

    /* The objective `id` given `values`: the record the LMS holds under that id (one the manifest declared, or
       one an earlier session wrote), else a new one after the others. */
    var objectives = {};
    session.objective = function (id, values) {
      if (!(id in objectives)) {
        var count = parseInt(session.get("cmi.objectives._count"), 10) || 0, n = 0;
        while (n < count && session.get("cmi.objectives." + n + ".id") !== id) n++;
        if (n === count && !session.set("cmi.objectives." + n + ".id", id)) return;
        objectives[id] = n;
      }
      session.setAll("cmi.objectives." + objectives[id] + ".", values);
    };

    /* In a package holding several languages: that the learner reached `values` (a finishing status) in the
       language they see, as an objective named for it, so an LMS's objectives report counts completions by
       language. */
    session.finishedIn = function (values) {
      var shown = LP.languages.filter(function (l) { return l.code === LP.data.language; })[0];
      if (shown && shown.objective) session.objective(shown.objective, values);
    };

    session.flush = function () { if (session.dirty && !finished) session.commit(); };

    /* The last commit and the end of the session, once: whether the LMS confirmed both. */
    session.terminate = function () {
      if (finished || !session.started) return undefined;
      var committed = session.call(dialect.commit).value === "true";
      var ended = session.call(dialect.terminate).value === "true";
      finished = true;
      clearTimeout(retryTimer);
      clearTimeout(laterTimer);
      return committed && ended;
    };

    session.finished = function () { return finished; };
    return session;
  };

  /* Whether a new score must not be written: once passed, the score the LMS holds never goes down (new checks in a
     republished package, unanswered or wrong, would otherwise lower a passed learner's grade). */
  LP.keepsRecordedScore = function (passed, score, recorded) {
    return passed && recorded !== "" && Number(score) < Number(recorded);
  };

  /* "Last, First" (the LMS's usual form) as the learner would write it. */
  LP.friendlyName = function (name) {
    var parts = String(name || "").replace(/^\{lang=[^}]*\}/, "").split(",");
    return parts.length === 2 ? (parts[1].trim() + " " + parts[0].trim()).trim() : parts.join(",").trim();
  };
})();
