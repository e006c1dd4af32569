/* SCORM 1.2 adapter: finds the LMS's API, keeps one session per launch, and writes tracking data.
   Every call's result is checked; nothing is called after LMSFinish. */
(function () {
  "use strict";
  var MAX_PARENT_STEPS = 7; /* the search limit of ADL's APIWrapper */
  var FINISHED = { completed: 1, passed: 1, failed: 1 };

  function apiOn(win) {
    try { return win.API && typeof win.API.LMSInitialize === "function" ? win.API : null; } catch (e) { return null; }
  }

  function search(win) {
    for (var steps = 0; win && steps <= MAX_PARENT_STEPS; steps++) {
      var api = apiOn(win);
      if (api) return api;
      var parent = null;
      try { parent = win.parent; } catch (e) { return null; }
      if (!parent || parent === win) return null;
      win = parent;
    }
    return null;
  }

  function findAPI() {
    var api = search(window), opener = null;
    try { opener = window.opener || (window.top && window.top.opener); } catch (e) { opener = null; }
    return api || (opener ? search(opener) : null);
  }

  function friendlyName(name) {
    var parts = String(name || "").split(",");
    return parts.length === 2 ? (parts[1].trim() + " " + parts[0].trim()).trim() : String(name || "").trim();
  }

  LP.adapters.scorm12 = function () {
    var api = findAPI();
    if (!api) return null;
    var started = 0, finished = false, mode = "normal", status = "", interactions = 0, failures = 0;
    var committedThisView = false, dirty = false, retryTimer = null;
    var adapter = { name: "scorm12", learnerId: "", onStatus: function () {}, errors: [] };

    function call(method, a, b) {
      if (finished) return "";
      var result;
      try { result = String(api[method](a === undefined ? "" : a, b)); } catch (e) { result = "false"; }
      var code = "0";
      try { code = String(api.LMSGetLastError()); } catch (e) { code = "101"; }
      if (code !== "0" && code !== "") adapter.errors.push(method + "(" + (a || "") + ") → " + code);
      return { value: result, error: code === "" ? "0" : code };
    }

    function get(element) {
      var answer = call("LMSGetValue", element);
      return answer && answer.error === "0" ? answer.value : ""; /* 401/402/403: the LMS lacks it */
    }

    function set(element, value) {
      var answer = call("LMSSetValue", element, String(value));
      return !!answer && answer.value === "true";
    }

    function commit() {
      if (finished) return false;
      var ok = call("LMSCommit").value === "true";
      dirty = !ok;
      if (ok) { failures = 0; adapter.onStatus("saved"); return true; }
      failures++;
      adapter.onStatus("failed");
      clearTimeout(retryTimer);
      retryTimer = setTimeout(function () { if (dirty) commit(); }, Math.min(30000, 1000 * Math.pow(2, failures)));
      return false;
    }

    /* Batched: at most one commit per page view; later changes wait for the next view or for pagehide. */
    function commitSoon() {
      dirty = true;
      if (committedThisView || failures) return;
      committedThisView = true;
      commit();
    }

    function writeState(state) {
      set("cmi.suspend_data", LP.encodeState(state, LP.data.storage === "lms"));
    }

    adapter.start = function () {
      started = Date.now();
      if (call("LMSInitialize").value !== "true") {
        return Promise.reject(new Error("LMSInitialize failed: " + adapter.errors.join("; ")));
      }
      adapter.learnerId = get("cmi.core.student_id");
      mode = get("cmi.core.lesson_mode") || "normal";
      status = get("cmi.core.lesson_status");
      var entry = get("cmi.core.entry");
      var state = LP.decodeState(get("cmi.suspend_data"));
      var bookmark = get("cmi.core.lesson_location");
      if (state && !state.location && LP.pages.byId[bookmark]) state.location = LP.pages.byId[bookmark].key;
      if (mode === "normal" && !FINISHED[status]) {
        if (status !== "incomplete") set("cmi.core.lesson_status", "incomplete");
        set("cmi.core.exit", "suspend");
      }
      return Promise.resolve({
        learnerName: friendlyName(get("cmi.core.student_name")), state: state, mode: mode,
        resume: !!(state && state.location && (entry === "resume" || entry === ""))
      });
    };

    adapter.pageViewed = function (page, state) {
      committedThisView = false;
      set("cmi.core.lesson_location", page.id.length <= 255 ? page.id : page.key);
      writeState(state);
      commitSoon();
    };

    adapter.answered = function (question, response, correct, latency, state) {
      if (mode !== "normal") return;
      var n = parseInt(get("cmi.interactions._count"), 10);
      n = isNaN(n) ? interactions : Math.max(n, interactions);
      var prefix = "cmi.interactions." + n + ".";
      var pattern = question.correct.split("").join(",");
      var now = new Date();
      if (set(prefix + "id", question.cmiId)) {
        interactions = n + 1;
        set(prefix + "type", "choice");
        set(prefix + "student_response", response.split("").join(","));
        set(prefix + "correct_responses.0.pattern", pattern);
        set(prefix + "result", correct ? "correct" : "wrong");
        set(prefix + "time", now.toTimeString().slice(0, 8)); /* CMITime: local HH:MM:SS */
        set(prefix + "latency", LP.cmiTimespan(latency));
      }
      writeState(state);
      commitSoon();
    };

    adapter.reflected = function (reflection, state) {
      if (LP.data.storage !== "lms") return;
      writeState(state);
      dirty = true;
    };

    /* Status only moves forward: a finished attempt is never set back to incomplete. */
    adapter.evaluated = function (result, state) {
      if (mode !== "normal") return;
      if (result.scored) {
        set("cmi.core.score.min", "0");
        set("cmi.core.score.max", "100");
        set("cmi.core.score.raw", String(result.score));
      }
      var next = result.status;
      if (next === "incomplete" || status === "passed" || status === next ||
          (status === "completed" && next === "completed")) return;
      if (set("cmi.core.lesson_status", next)) {
        status = next;
        state.done = next.charAt(0);
        set("cmi.core.exit", "");
        writeState(state);
        commitSoon();
      }
    };

    adapter.flush = function () { if (dirty && !finished) commit(); };

    adapter.finish = function (state) {
      if (finished || !started) return;
      writeState(state);
      if (mode === "normal") set("cmi.core.exit", FINISHED[status] ? "" : "suspend");
      set("cmi.core.session_time", LP.cmiTimespan(Date.now() - started));
      call("LMSCommit");
      call("LMSFinish");
      finished = true;
      clearTimeout(retryTimer);
    };
    return adapter;
  };
})();
