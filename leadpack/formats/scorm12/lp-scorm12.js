/* SCORM 1.2 adapter: the data model of SCORM 1.2 on the shared session (lp-scorm.js): status, score, bookmark,
   interactions, suspend_data, exit and session time. */
(function () {
  "use strict";
  var FINISHED = { completed: 1, passed: 1, failed: 1 };

  function two(n) { return (n < 10 ? "0" : "") + n; }

  /* CMITimespan: HHHH:MM:SS.SS, hours at least two digits. */
  function timespan(ms) {
    var cs = Math.round(ms / 10), h = Math.min(9999, Math.floor(cs / 360000));
    return two(h) + ":" + two(Math.floor(cs / 6000) % 60) + ":" + two(Math.floor(cs / 100) % 60) + "." + two(cs % 100);
  }

  LP.adapters.scorm12 = function () {
    var s = LP.scormSession({ api: "API", steps: 7, /* the search limit of ADL's APIWrapper */
      initialize: "LMSInitialize", terminate: "LMSFinish", getValue: "LMSGetValue", setValue: "LMSSetValue",
      commit: "LMSCommit", lastError: "LMSGetLastError" });
    if (!s) return null;
    var mode = "normal", status = "", preference = "", recorded = "";
    var adapter = LP.adapter("scorm12", { errors: s.errors });
    s.onStatus = function (kind) { adapter.onStatus(kind); };

    adapter.start = function () {
      if (!s.initialize()) return Promise.reject(new Error("LMSInitialize failed: " + s.errors.join("; ")));
      adapter.learnerId = s.get("cmi.core.student_id");
      mode = s.get("cmi.core.lesson_mode") || "normal";
      status = s.get("cmi.core.lesson_status");
      recorded = s.get("cmi.core.score.raw");
      var entry = s.get("cmi.core.entry");
      var state = LP.decodeState(s.get("cmi.suspend_data"));
      var bookmark = s.get("cmi.core.lesson_location");
      preference = s.get("cmi.student_preference.language");
      if (state && !state.location && LP.pages.byId[bookmark]) state.location = LP.pages.byId[bookmark].key;
      if (mode === "normal" && !FINISHED[status]) {
        if (status !== "incomplete") s.set("cmi.core.lesson_status", "incomplete");
        s.set("cmi.core.exit", "suspend");
      }
      return Promise.resolve({
        learnerName: LP.friendlyName(s.get("cmi.core.student_name")), state: state, mode: mode,
        resume: !!(state && state.location && (entry === "resume" || entry === "")), language: preference
      });
    };

    adapter.pageViewed = function (page, state) {
      s.newView();
      s.set("cmi.core.lesson_location", page.id.length <= 255 ? page.id : page.key);
      s.saveState(state);
      s.commitSoon();
    };

    adapter.answered = function (question, response, correct, latency, state) {
      if (mode !== "normal") return;
      var prefix = s.interaction(question.cmiId);
      if (prefix) {
        s.setAll(prefix, { type: "choice", student_response: response.split("").join(","),
          "correct_responses.0.pattern": question.correct.split("").join(","), result: correct ? "correct" : "wrong",
          time: new Date().toTimeString().slice(0, 8), /* CMITime: local HH:MM:SS */
          latency: timespan(latency) });
      }
      s.saveState(state);
      s.commitSoon();
    };

    adapter.reflected = s.reflected;

    /* Status only moves forward: a finished attempt is never set back to incomplete. */
    adapter.evaluated = function (result, state) {
      if (mode !== "normal") return;
      if (result.scored && !LP.keepsRecordedScore(status === "passed", result.score, recorded)) {
        s.setAll("cmi.core.score.", { min: "0", max: "100", raw: result.score });
        recorded = String(result.score);
      }
      var next = result.status;
      if (next === "incomplete" || status === "passed" || status === next ||
          (status === "completed" && next === "completed")) return;
      if (s.set("cmi.core.lesson_status", next)) {
        status = next;
        s.finishedIn({ status: next });
        state.done = next.charAt(0);
        s.set("cmi.core.exit", result.ended ? "" : "suspend");
        s.saveState(state);
        s.commitSoon();
      }
    };

    /* The language the learner sees, written back as their preference: an LMS's track report shows it, and the
       next launch starts in it. */
    adapter.languageChosen = function (language, state) {
      if (mode !== "normal") return;
      if (language !== preference && s.set("cmi.student_preference.language", language)) preference = language;
      s.saveState(state);
      s.commitLater();
    };

    adapter.flush = function () { s.flush(); };

    adapter.finish = function (state) {
      if (s.finished() || !s.started) return;
      s.saveState(state);
      var over = status === "passed" || status === "completed" || LP.evaluate(state).ended;
      if (mode === "normal") s.set("cmi.core.exit", over ? "" : "suspend");
      s.set("cmi.core.session_time", timespan(Date.now() - s.started));
      return s.terminate();
    };
    return adapter;
  };
})();
