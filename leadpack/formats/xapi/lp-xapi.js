/* xAPI, the Tin Can launch, on the LRS client of lp-lrs.js (LP.xapi): resume from the State API document
   "leadpack-progress" joined with the statements; the endpoint and `auth` come only from the launch URL, and
   neither is ever written to storage; a `language` launch parameter (a tag, or a list of tags) chooses the
   language the course starts in. */
(function () {
  "use strict";
  var X = LP.xapi;

  LP.adapters.xapi = function () {
    var p = X.launchParameters();
    if (!p.endpoint || !p.actor) return null; /* no launch: a preview, run untracked */
    var d = LP.data, who = X.learner(p.actor), actor = who.actor, registration = p.registration || "";
    var courseIri = p.activity_id || d.set.iri, started = 0;
    var adapter = LP.adapter("xapi", { learnerId: who.id });
    var track = X.Tracker({ client: X.Client(p.endpoint, p.auth || ""), agent: who.agent,
      registration: registration, courseIri: courseIri, key: "leadpack:xapi:", statement: statement,
      status: function (kind) { adapter.onStatus(kind); } });
    adapter.outboxKey = track.outboxKey;
    adapter.errors = track.errors;

    function course() {
      var more = d.set.description ? { description: track.languageMap(d.set.description) } : {};
      return track.activity(courseIri, "course", d.set.title, more);
    }

    function statement(verb, object, result, parentIri) {
      var grouping = X.grouping(object, courseIri);
      if (p.grouping) grouping.push(X.ref(p.grouping));
      var context = { contextActivities: { grouping: grouping }, language: d.language,
        platform: p.activity_platform || "leadpack", revision: d.set.version };
      if (parentIri) context.contextActivities.parent = [X.ref(parentIri)];
      if (registration) context.registration = registration;
      return X.statement(actor, verb, object, context, new Date().toISOString(), result);
    }

    function sessionTime() { return LP.isoDuration(Date.now() - started); }

    /* ---- the adapter interface ---- */
    adapter.start = function () {
      if (!who.named) return Promise.reject(new Error(X.NO_LEARNER));
      started = Date.now();
      return track.load().then(function (state) {
        LP.startLanguage(state, p.language); /* the first statement is said in the language the learner will see */
        track.enqueue(statement(state ? "resumed" : "initialized", course()));
        return { learnerName: actor.name || "", state: state, resume: !!(state && state.location), mode: "normal",
          language: p.language || "" };
      });
    };

    adapter.pageViewed = track.pageViewed;
    adapter.answered = track.answered;
    adapter.reflected = track.reflected;
    adapter.languageChosen = function (language, state) { track.stateChanged(state); };

    adapter.evaluated = function (result, state) {
      if (result.complete && !state.done) {
        state.done = "c";
        track.enqueue(statement("completed", course(), { completion: true, duration: sessionTime() }));
      }
      /* passed and failed once each at most, and failed only before any result: a retry can turn failed into passed */
      var judged = result.status === "passed" ? "p" : result.status === "failed" ? "f" : "";
      if (judged && state.done !== "p" && state.done !== judged) {
        state.done = result.status.charAt(0);
        track.enqueue(statement(result.status, course(), { success: result.status === "passed", completion: true,
          duration: sessionTime(), score: X.score(result) }));
      }
      track.stateChanged(state);
    };

    adapter.flush = function (state) { if (started) track.flush(state); };

    /* pagehide or "Save and exit": `terminated` once the course is finished, `suspended` otherwise. */
    adapter.finish = function (state) {
      if (track.finished || !started) return;
      track.finish(state, function () {
        return statement(state.done ? "terminated" : "suspended", course(), { duration: sessionTime() });
      });
    };
    return adapter;
  };
})();
