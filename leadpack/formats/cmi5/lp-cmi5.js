/* cmi5: the AU, on the xAPI client and Tracker of lp-lrs.js (LP.xapi). The LMS opens the page with endpoint,
   fetch, actor, registration and activityId. The AU POSTs to `fetch` once for its auth token and keeps it in this
   tab's sessionStorage (never in localStorage), so a reload goes on with the same session and never fetches again;
   it reads LMS.LaunchData (launch mode, mastery score, returnURL, the context template; its moveOn is the LMS's
   to judge by, and leadpack's AUs take no launchParameters) and the learner's preferences (languagePreference
   chooses the language the course starts in). Defined statements (initialized, completed, passed or failed,
   terminated) carry the template and the cmi5 category; pages, answers and reflections go as allowed statements. Each defined verb goes once per
   session, completed and passed at most once per registration (read back from the learner's progress), and in
   Browse or Review only initialized and terminated go. A reload or a closed tab ends nothing: the learner's exit
   sends terminated and opens the LMS's returnURL; a tab closed without it is the LMS's to mark abandoned. */
(function () {
  "use strict";
  var X = LP.xapi, CONTEXT = "https://w3id.org/xapi/cmi5/context/";
  var CATEGORY = CONTEXT + "categories/cmi5", MOVE_ON = CONTEXT + "categories/moveon";
  var MASTERY = CONTEXT + "extensions/masteryscore";
  var MODES = { Normal: "normal", Browse: "browse", Review: "review" };
  var LEAVE_AFTER = 5000; /* the exit opens returnURL once the LRS has everything, or after this long */

  /* This tab's part of the session, kept for a reload: the token, when it began, which defined verbs went. */
  function tabSession(key) {
    var store = null, session = {};
    try { store = window.sessionStorage; session = JSON.parse(store.getItem(key)) || {}; } catch (e) { session = {}; }
    session.sent = session.sent || {};
    session.save = function () {
      try { store.setItem(key, JSON.stringify(session)); } catch (e) { /* no storage: a reload starts afresh */ }
    };
    return session;
  }

  /* One POST (never GET, never repeated: the URL answers once). */
  function fetchToken(url) {
    return fetch(url, { method: "POST", credentials: "omit", cache: "no-store" }).then(function (r) {
      return r.json().then(function (answer) {
        if (r.ok && answer && answer["auth-token"]) return answer["auth-token"];
        throw new Error("the LMS gave no auth token: " + (answer && answer["error-text"] || r.status));
      });
    });
  }

  /* Listening from here, before lp-app.js loads, this hears pagehide before the app does: a page being hidden is
     a reload or a closed tab, not the learner's exit. */
  var hiding = false;
  window.addEventListener("pagehide", function () { hiding = true; });
  window.addEventListener("pageshow", function () { hiding = false; });

  /* The LMS's context template with ours added: every value it holds stays (10.2.1), lists are joined. */
  function withTemplate(template, ours) {
    var context = JSON.parse(JSON.stringify(template || {}));
    Object.keys(ours).forEach(function (k) {
      if (k !== "contextActivities" && k !== "extensions") {
        if (!(k in context)) context[k] = ours[k];
        return;
      }
      var into = context[k] = context[k] || {};
      Object.keys(ours[k]).forEach(function (name) {
        if (k === "extensions") { if (!(name in into)) into[name] = ours[k][name]; return; }
        var list = [].concat(into[name] || []), ids = {};
        list.forEach(function (a) { ids[a.id] = true; });
        into[name] = list.concat(ours[k][name].filter(function (a) { return !ids[a.id]; }));
      });
    });
    return context;
  }

  /* audioPreference (11.2): the learner's choice for any audio or video, at startup. */
  function applyAudio(preference) {
    if (preference !== "on" && preference !== "off") return;
    Array.prototype.forEach.call(document.querySelectorAll("audio, video"), function (media) {
      media.muted = preference === "off";
    });
  }

  function safeUrl(url) {
    try { return /^https?:$/.test(new URL(url, location.href).protocol) ? url : ""; } catch (e) { return ""; }
  }

  LP.adapters.cmi5 = function () {
    var p = X.launchParameters();
    if (!p.endpoint || !p.fetch || !p.actor || !p.activityId) return null; /* no cmi5 launch: run untracked */
    var d = LP.data, who = X.learner(p.actor), actor = who.actor, au = p.activityId, registration = p.registration || "";
    var where = { activityId: au, agent: JSON.stringify(who.agent), registration: registration };
    var session = tabSession("leadpack:cmi5:session:" + X.hash(p.fetch));
    var track = null, launchData = {}, mode = "normal", masteryScore = null, leaving = false;
    var adapter = LP.adapter("cmi5", { learnerId: who.id, preferences: {} });

    function stamp() { /* strictly increasing, so that the order by timestamp is the order of sending */
      session.last = Math.max(Date.now(), (session.last || 0) + 1);
      return new Date(session.last).toISOString();
    }

    function sessionTime() { return LP.isoDuration(Date.now() - session.started); }

    /* A statement with the template merged in; `defined`: a cmi5 defined one, about the AU. */
    function statement(verb, object, result, parentIri, defined) {
      var activities = { grouping: X.grouping(object, au), category: [] };
      if (parentIri) activities.parent = [X.ref(parentIri)];
      if (defined) activities.category.push(X.ref(CATEGORY));
      if (defined && result && ("success" in result || "completion" in result)) activities.category.push(X.ref(MOVE_ON));
      if (!activities.category.length) delete activities.category;
      var ours = { registration: registration, contextActivities: activities, language: d.language,
        platform: "leadpack", revision: d.set.version, extensions: {} };
      if (defined && masteryScore !== null && /^(passed|failed)$/.test(verb)) ours.extensions[MASTERY] = masteryScore;
      var context = withTemplate(launchData.contextTemplate, ours);
      if (!Object.keys(context.extensions).length) delete context.extensions;
      return X.statement(actor, verb, object, context, stamp(), result);
    }

    function definedStatement(verb, result) {
      return statement(verb, { objectType: "Activity", id: au, definition: { name: track.languageMap(d.unit.title) } },
        result, null, true);
    }

    /* Each defined verb once in a session, however often the page was reloaded. */
    function sendDefined(verb, result) {
      if (session.sent[verb]) return;
      session.sent[verb] = true;
      session.save();
      track.enqueue(definedStatement(verb, result));
    }

    function readJson(url) {
      return track.client.request("GET", url).then(function (r) {
        if (r.status === 404) return null;
        if (!r.ok) throw new Error("the LMS answered " + r.status);
        return r.json();
      });
    }

    function status(kind) {
      adapter.onStatus(kind);
      if (kind === "saved" && leaving) leave();
    }

    /* returnURL (10.2.6) once the exit's statements are stored, or after a while: they go with keepalive. */
    function leave() {
      var url = safeUrl(launchData.returnURL || "");
      if (!url || leave.done) return;
      leave.done = true;
      location.href = url;
    }

    function begin(token) {
      track = X.Tracker({ client: X.Client(p.endpoint, "Basic " + token), agent: who.agent, registration: registration,
        courseIri: au, key: "leadpack:cmi5:", status: status,
        refusals: { 403: 1 }, /* the LMS's "never": a statement for a session it has closed (9.3.6, 9.3.8) */
        statement: function (verb, object, result, parentIri) { return statement(verb, object, result, parentIri); } });
      adapter.errors = track.errors;
      adapter.outboxKey = track.outboxKey;
      return X.withRetries(function () {
        return Promise.all([readJson("activities/state?" + X.query({ stateId: "LMS.LaunchData" }) + "&" + X.query(where)),
          readJson("agents/profile?" + X.query({ agent: where.agent, profileId: "cmi5LearnerPreferences" }))]);
      });
    }

    /* ---- the adapter interface ---- */
    adapter.start = function () {
      if (!who.named) return Promise.reject(new Error(X.NO_LEARNER));
      if (session.ended) return Promise.reject(new Error("this launch has ended: open the course from the LMS again"));
      var token = session.token ? Promise.resolve(session.token) : fetchToken(p.fetch).then(function (t) {
        session.token = t;
        session.save();
        return t;
      });
      return token.then(begin).then(function (found) {
        if (!found[0] || !found[0].contextTemplate) throw new Error("the LMS wrote no LMS.LaunchData for this launch");
        launchData = found[0];
        adapter.preferences = found[1] || {};
        applyAudio(adapter.preferences.audioPreference);
        mode = MODES[launchData.launchMode] || "normal";
        track.readOnly = mode !== "normal"; /* Browse and Review read the learner's progress, never write it */
        var mastery = parseFloat(launchData.masteryScore);
        masteryScore = mastery >= 0 && mastery <= 1 ? mastery : null;
        return track.load();
      }).then(function (state) {
        if (!session.started) { session.started = Date.now(); session.save(); }
        LP.startLanguage(state, adapter.preferences.languagePreference); /* initialized is said in it */
        sendDefined("initialized");
        return { learnerName: actor.name || "", state: state, resume: !!(state && state.location), mode: mode,
          passMark: masteryScore === null ? undefined : Math.round(masteryScore * 1e6) / 1e4,
          language: adapter.preferences.languagePreference };
      });
    };

    function recording(method) {
      return function () { if (mode === "normal") track[method].apply(null, arguments); };
    }
    adapter.pageViewed = recording("pageViewed");
    adapter.answered = recording("answered");
    adapter.reflected = recording("reflected");
    adapter.languageChosen = function (language, state) { if (mode === "normal") track.stateChanged(state); };

    adapter.evaluated = function (result, state) {
      if (mode !== "normal") return;
      if (result.complete && !state.done) {
        state.done = "c";
        sendDefined("completed", { completion: true, duration: sessionTime() });
      }
      /* one of passed and failed per session (9.3.0.0-3), failed never after passed (9.3.0.0-8): a retry that
         turns failed into passed is told to the LMS in the learner's next session */
      var judged = result.status === "passed" ? "p" : result.status === "failed" ? "f" : "";
      if (judged && state.done !== "p" && state.done !== judged && !session.sent.passed && !session.sent.failed) {
        state.done = judged;
        sendDefined(result.status, { success: result.status === "passed", duration: sessionTime(),
          score: X.score(result) });
      }
      track.stateChanged(state);
    };

    adapter.flush = function (state) { if (track) track.flush(state); };

    /* "Save and exit": terminated, last, then the LMS's returnURL. Hidden (reload, closed tab): everything waiting
       goes, and the session stays open for the reload. */
    adapter.finish = function (state) {
      if (!track || track.finished) return;
      if (hiding) { track.flush(state); return; }
      session.ended = true;
      delete session.token; /* the session is over, and so is the token's use */
      session.save();
      leaving = true;
      track.finish(state, function () { return definedStatement("terminated", { duration: sessionTime() }); });
      setTimeout(leave, LEAVE_AFTER);
    };
    return adapter;
  };
})();
