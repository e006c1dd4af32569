/* SCORM 2004 4th Edition adapter: the 2004 data model on the shared SCORM session (lp-scorm.js). Completion and
   success are reported apart; the score is scaled 0..1 (judged by the LMS against cmi.scaled_passing_score, which
   the manifest sets to the pass mark, and by the runtime against the same mark); suspend_data holds up to 64,000
   characters; the attempt stays open (exit "suspend") until the learner has finished, then ends ("normal"). With one
   SCO per module, the end of a module can ask the LMS for the next one (adl.nav.request "continue"). */
(function () {
  "use strict";
  var CLEAN_TEXT = /[\r\n\t]+/g; /* descriptions: one line, no leading "{" (a language tag), at most 250 */

  LP.adapters.scorm2004 = function () {
    var s = LP.scormSession({ api: "API_1484_11", steps: 500, /* the search limit of ADL's sample RTE */
      initialize: "Initialize", terminate: "Terminate", getValue: "GetValue", setValue: "SetValue",
      commit: "Commit", lastError: "GetLastError" });
    if (!s) return null;
    var d = LP.data, mode = "normal", completion = "", success = "", request = "", preference = "", recorded = "";
    var adapter = LP.adapter("scorm2004", { errors: s.errors });
    s.onStatus = function (kind) { adapter.onStatus(kind); };

    /* Finished: nothing more to do in this attempt, so it may end. A failed attempt stays open while a retry is
       left. */
    function finished(state) {
      return completion === "completed" && (d.completion.passMark === null || success === "passed" ||
        LP.evaluate(state).ended);
    }

    /* time (second,10,0): UTC with at most two fraction digits, which a zone may only follow. */
    function isoTime(date) { return date.toISOString().replace(/(\.\d\d)\d*Z$/, "$1Z"); }

    function decimal(value) { return String(Math.round(value * 10000) / 10000); }

    adapter.start = function () {
      if (!s.initialize()) return Promise.reject(new Error("Initialize failed: " + s.errors.join("; ")));
      adapter.learnerId = s.get("cmi.learner_id");
      mode = s.get("cmi.mode") || "normal";
      completion = s.get("cmi.completion_status");
      success = s.get("cmi.success_status");
      recorded = s.get("cmi.score.raw");
      var entry = s.get("cmi.entry");
      var state = LP.decodeState(s.get("cmi.suspend_data"));
      var bookmark = s.get("cmi.location");
      var passing = parseFloat(s.get("cmi.scaled_passing_score"));
      preference = s.get("cmi.learner_preference.language");
      if (state && !state.location && LP.pages.byId[bookmark]) state.location = LP.pages.byId[bookmark].key;
      if (mode === "normal" && completion !== "completed" && s.set("cmi.completion_status", "incomplete")) {
        completion = "incomplete";
      }
      if (mode === "normal") s.set("cmi.exit", "suspend");
      return Promise.resolve({
        learnerName: LP.friendlyName(s.get("cmi.learner_name")), state: state, mode: mode,
        resume: !!(state && state.location && entry === "resume"),
        passMark: isNaN(passing) || d.completion.passMark === null ? undefined : Math.round(passing * 100),
        language: preference
      });
    };

    adapter.pageViewed = function (page, state) {
      s.newView();
      s.set("cmi.location", page.id.length <= 1000 ? page.id : page.key);
      if (mode === "normal") s.set("cmi.progress_measure", decimal(LP.evaluate(state).percent / 100));
      s.saveState(state);
      s.commitSoon();
    };

    adapter.answered = function (question, response, correct, latency, state) {
      if (mode !== "normal") return;
      var prefix = s.interaction(question.cmiId);
      if (prefix) {
        s.setAll(prefix, { type: "choice",
          description: question.text.replace(CLEAN_TEXT, " ").replace(/^\{/, "(").slice(0, 250),
          learner_response: response.split("").sort().join("[,]"),
          "correct_responses.0.pattern": question.correct.split("").sort().join("[,]"),
          result: correct ? "correct" : "incorrect", timestamp: isoTime(new Date()), latency: LP.isoDuration(latency) });
      }
      s.saveState(state);
      s.commitSoon();
    };

    adapter.reflected = s.reflected;

    /* Completion and success only move forward: completed stays completed, passed stays passed (a retry may turn
       failed into passed). */
    adapter.evaluated = function (result, state) {
      if (mode !== "normal") return;
      var changed = false;
      if (result.scored && !LP.keepsRecordedScore(success === "passed", result.score, recorded)) {
        s.setAll("cmi.score.", { scaled: decimal(result.score / 100), raw: result.score, min: "0", max: "100" });
        recorded = String(result.score);
      }
      if (result.complete && completion !== "completed" && s.set("cmi.completion_status", "completed")) {
        completion = "completed";
        changed = true;
      }
      var judged = result.status === "passed" || result.status === "failed" ? result.status : "";
      if (judged && success !== "passed" && success !== judged && s.set("cmi.success_status", judged)) {
        success = judged;
        changed = true;
      }
      if (!changed) return;
      s.finishedIn({ completion_status: completion, success_status: success || "unknown" });
      state.done = success ? success.charAt(0) : "c";
      s.saveState(state);
      s.commitSoon();
    };

    /* The language the learner sees, written back as their preference (cmi.learner_preference.language): an LMS's
       reports show it, and the next launch starts in it. */
    adapter.languageChosen = function (language, state) {
      if (mode !== "normal") return;
      if (language !== preference && s.set("cmi.learner_preference.language", language)) preference = language;
      s.saveState(state);
      s.commitLater();
    };

    adapter.flush = function () { s.flush(); };

    /* With one SCO per module: leave this one and ask the LMS to open the next; false, leaving nothing, where the
       LMS says it would not (adl.nav.request_valid.continue "false": its sequencing, or an LMS that navigates
       only from its own menu), so the learner is not left on a finished module waiting. */
    adapter.nextUnit = function (state) {
      if (s.get("adl.nav.request_valid.continue") === "false") return false;
      request = "continue";
      adapter.finish(state);
      return true;
    };

    adapter.finish = function (state) {
      if (s.finished() || !s.started) return;
      s.saveState(state);
      if (mode === "normal") s.set("cmi.exit", finished(state) ? "normal" : "suspend");
      s.set("cmi.session_time", LP.isoDuration(Date.now() - s.started));
      if (request) s.set("adl.nav.request", request);
      return s.terminate();
    };
    return adapter;
  };
})();
