/* xAPI (Tin Can launch) adapter: statements to the LRS named at launch, through an outbox in browser storage so
   that nothing is lost when the LRS blips and nothing is stored twice (ids are made here, so a retry of a statement
   the LRS already holds is answered 204, or 409 if it differs, and is dropped either way). Resume comes from the
   State API document "leadpack-progress" or, where an LRS has no State API, from the learner's own statements.
   The endpoint and `auth` come only from the launch URL; neither is ever written to storage. */
(function () {
  "use strict";
  var VERBS = "http://adlnet.gov/expapi/verbs/";
  var STATE_ID = "leadpack-progress"; /* State API document: the encoded state, as in SCORM's suspend_data */
  var TYPES = { course: "http://adlnet.gov/expapi/activities/course",
    module: "http://adlnet.gov/expapi/activities/module", page: "http://activitystrea.ms/schema/1.0/page",
    interaction: "http://adlnet.gov/expapi/activities/cmi.interaction" };
  var IFIS = ["mbox", "mbox_sha1sum", "openid", "account"];
  var BATCH = 25;                  /* statements per POST */
  var KEEPALIVE_BYTES = 60000;     /* browsers allow 64 KB of keepalive bodies in flight per page */
  var REFLECTION_DELAY = 1500;     /* a reflection is sent once the learner pauses typing */
  var LAUNCH_TRIES = 3;            /* reads of saved progress at launch, 0.5 s then 1 s apart, before starting afresh */
  var NO_STATE_API = { 404: 1, 405: 1, 501: 1 };

  function launchParameters() {
    var params = {};
    location.search.replace(/^\?/, "").split("&").forEach(function (pair) {
      if (!pair) return;
      var at = pair.indexOf("="), name = at < 0 ? pair : pair.slice(0, at);
      try { params[decodeURIComponent(name)] = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " ")); }
      catch (e) { /* a malformed parameter is ignored */ }
    });
    return params;
  }

  /* Pre-1.0 launchers send name/mbox as arrays: take the first value of each. */
  function normaliseActor(actor) {
    ["name"].concat(IFIS).forEach(function (k) { if (Array.isArray(actor[k])) actor[k] = actor[k][0]; });
    if (actor.account && !actor.account.homePage && actor.account.accountServiceHomePage) {
      actor.account = { homePage: actor.account.accountServiceHomePage, name: actor.account.accountName };
    }
    if (!actor.objectType) actor.objectType = "Agent";
    return actor;
  }

  /* The agent as the State API and statement queries take it: its identifier only, so a changed name still matches. */
  function identity(actor) {
    var agent = { objectType: "Agent" };
    IFIS.forEach(function (k) { if (actor[k]) agent[k] = actor[k]; });
    return agent;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function hash(text) {
    var h = 5381;
    for (var i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
    return h.toString(36);
  }

  function languageMap(text) { var map = {}; map[LP.data.language] = text; return map; }

  /* Statements (and the latest state document) waiting for the LRS, kept in localStorage per learner, registration
     and course so that a closed tab or a crashed browser loses nothing. Never holds the endpoint or credentials. */
  function Outbox(store, key) {
    var box = { statements: [], state: null };
    try {
      var saved = JSON.parse(store && store.getItem(key));
      if (saved) { box.statements = saved.statements || []; box.state = saved.state || null; }
    } catch (e) { /* an unreadable outbox starts empty */ }
    box.save = function () {
      if (!store) return;
      try {
        if (box.statements.length || box.state !== null) {
          store.setItem(key, JSON.stringify({ statements: box.statements, state: box.state }));
        } else store.removeItem(key);
      } catch (e) { /* storage full: the statements stay in memory */ }
    };
    box.remove = function (sent) {
      var ids = {};
      sent.forEach(function (s) { ids[s.id] = true; });
      box.statements = box.statements.filter(function (s) { return !ids[s.id]; });
      box.save();
    };
    return box;
  }

  LP.adapters.xapi = function () {
    var p = launchParameters();
    if (!p.endpoint || !p.actor) return null; /* no launch: a preview, run untracked */
    var d = LP.data, actor = null;
    try { actor = normaliseActor(JSON.parse(p.actor)); } catch (e) { actor = null; }
    var agent = identity(actor || {});
    var endpoint = p.endpoint.replace(/\/?$/, "/"), auth = p.auth || "", registration = p.registration || "";
    var courseIri = p.activity_id || d.set.iri;
    var outboxKey = "leadpack:xapi:" + hash(JSON.stringify(agent) + "|" + registration + "|" + courseIri);
    var outbox = Outbox(LP.storage(), outboxKey);
    var started = 0, finished = false, sending = false, failures = 0, retryTimer = null, shown = "";
    var stateApi = true;           /* false once the LRS shows it has no State API, or resume data was unreadable */
    var reflectionTimers = {}, sentReflections = {};
    var moduleIri = {}, byIri = {};
    d.modules.forEach(function (m) { moduleIri[m.id] = m.iri; });
    d.pages.forEach(function (page) { byIri[page.iri] = { kind: "page", item: page }; });
    d.questions.forEach(function (q) { byIri[q.iri] = { kind: "question", item: q }; });
    d.reflections.forEach(function (r) { byIri[r.iri] = { kind: "reflection", item: r }; });
    var adapter = { name: "xapi", learnerId: hash(JSON.stringify(agent)), onStatus: function () {}, errors: [],
      outboxKey: outboxKey };

    /* ---- HTTP ---- */
    function request(method, url, body, keepalive) {
      var headers = { "X-Experience-API-Version": "1.0.3" };
      if (auth) headers.Authorization = auth; /* sent verbatim, as the launch gave it */
      if (body !== undefined) headers["Content-Type"] = "application/json";
      return fetch(/^https?:/.test(url) ? url : endpoint + url, { method: method, headers: headers, body: body,
        keepalive: !!keepalive, credentials: "omit", cache: "no-store", mode: "cors" });
    }

    function stateUrl() {
      return "activities/state?stateId=" + STATE_ID + "&activityId=" + encodeURIComponent(courseIri) +
        "&agent=" + encodeURIComponent(JSON.stringify(agent)) +
        (registration ? "&registration=" + encodeURIComponent(registration) : "");
    }

    /* ---- delivery ---- */
    /* "saved" only when nothing waits: no statement, no state document, no reflection still being typed. */
    function report() {
      var waiting = outbox.statements.length || outbox.state !== null || Object.keys(reflectionTimers).length;
      var kind = waiting ? (failures ? "failed" : "saving") : "saved";
      if (kind !== shown) { shown = kind; adapter.onStatus(kind); }
    }

    function reject(statement, status) {
      adapter.errors.push("statement " + statement.id + " not stored: the LRS answered " + status +
        (status === 409 ? " (it holds a different statement with this id)" : ""));
      if (window.console) console.warn("leadpack: " + adapter.errors[adapter.errors.length - 1]);
    }

    /* 200 stored; 204 every one already stored. A 400/409/413 for a batch is resolved one statement at a time: for
       one statement, 409 means a statement with that id is already stored and 400/413 that it can never be. Other
       answers (401, 403, 404, 429, 5xx) and network errors keep the statements for a later try. */
    function post(batch, keepalive) {
      return request("POST", "statements", JSON.stringify(batch), keepalive).then(function (r) {
        if (r.ok) { outbox.remove(batch); return true; }
        if (r.status === 400 || r.status === 409 || r.status === 413) {
          if (batch.length > 1) return postEach(batch.slice(), keepalive);
          reject(batch[0], r.status);
          outbox.remove(batch);
          return true;
        }
        return false;
      }, function () { return false; });
    }

    function postEach(batch, keepalive) {
      if (!batch.length) return Promise.resolve(true);
      return post([batch.shift()], keepalive).then(function (ok) { return ok && postEach(batch, keepalive); });
    }

    function putState(text, keepalive) {
      return request("PUT", stateUrl(), text, keepalive).then(function (r) {
        if (r.ok || r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
          if (NO_STATE_API[r.status]) stateApi = false;
          else if (!r.ok) adapter.errors.push("state document refused by the LRS: " + r.status);
          if (outbox.state === text) { outbox.state = null; outbox.save(); }
          return true;
        }
        return false;
      }, function () { return false; });
    }

    /* One request at a time, statements first (in the order they were made), then the latest state document. */
    function deliver() {
      clearTimeout(retryTimer);
      if (sending) return;
      if (!outbox.statements.length && outbox.state === null) { failures = 0; report(); return; }
      sending = true;
      report();
      var next = outbox.statements.length ? post(outbox.statements.slice(0, BATCH)) : putState(outbox.state);
      next.then(function (ok) {
        sending = false;
        if (ok) { failures = 0; deliver(); } else retryLater();
      });
    }

    function retryLater() {
      failures++;
      report();
      clearTimeout(retryTimer);
      var delay = Math.min(30000, 1000 * Math.pow(2, failures - 1)); /* 1 s, 2 s, 4 s ... 30 s, with jitter */
      retryTimer = setTimeout(deliver, delay * (0.8 + 0.4 * Math.random()));
    }

    function utf8Length(text) { return unescape(encodeURIComponent(text)).length; }

    /* pagehide or hidden: everything waiting goes out now with keepalive (as much as its 64 KB allow, in order), and
       stays in the outbox until the LRS confirms it; what does not fit waits for the next launch. */
    function flushNow() {
      var budget = KEEPALIVE_BYTES, chunks = [], chunk = [], sent = [];
      var state = stateApi && outbox.state !== null ? outbox.state : null;
      if (state !== null) budget -= utf8Length(state);
      outbox.statements.forEach(function (s) {
        var size = utf8Length(JSON.stringify(s)) + 1;
        if (size > budget) { budget = -1; return; }
        budget -= size;
        if (chunk.length === BATCH) { chunks.push(chunk); chunk = []; }
        chunk.push(s);
      });
      if (chunk.length) chunks.push(chunk);
      chunks.forEach(function (c) { sent.push(post(c, true)); });
      if (state !== null) sent.push(putState(state, true));
      Promise.all(sent).then(function (results) {
        if (results.every(Boolean)) { failures = 0; report(); } else retryLater();
      });
    }

    function enqueue(s) {
      if (finished) return;
      outbox.statements.push(s);
      outbox.save();
      deliver();
    }

    function stateChanged(state) {
      if (!stateApi) return;
      outbox.state = LP.encodeState(state, d.storage === "lms");
      outbox.save();
      deliver();
    }

    /* ---- statements ---- */
    function activity(iri, kind, name, more) {
      var definition = { type: TYPES[kind], name: languageMap(name) };
      for (var k in more || {}) definition[k] = more[k];
      return { objectType: "Activity", id: iri, definition: definition };
    }

    function course() {
      var more = d.set.description ? { description: languageMap(d.set.description) } : {};
      return activity(courseIri, "course", d.set.title, more);
    }

    function ref(iri) { return { objectType: "Activity", id: iri }; }

    function statement(verb, object, result, parentIri) {
      var grouping = [];
      if (object.id !== courseIri) grouping.push(ref(courseIri));
      grouping.push(ref(d.series.iri));
      if (p.grouping) grouping.push(ref(p.grouping));
      var context = { contextActivities: { grouping: grouping }, language: d.language,
        platform: p.activity_platform || "leadpack", revision: d.set.version };
      if (parentIri) context.contextActivities.parent = [ref(parentIri)];
      if (registration) context.registration = registration;
      var s = { id: uuid(), actor: actor, verb: { id: VERBS + verb, display: { "en-US": verb } }, object: object,
        context: context, timestamp: new Date().toISOString() };
      if (result) s.result = result;
      return s;
    }

    function sessionTime() { return LP.isoDuration(Date.now() - started); }

    function sendReflection(reflection, state) {
      clearTimeout(reflectionTimers[reflection.key]);
      delete reflectionTimers[reflection.key];
      var text = state.reflections[reflection.key] || "";
      if (text === (sentReflections[reflection.key] || "")) { report(); return; }
      sentReflections[reflection.key] = text;
      var object = activity(reflection.iri, "interaction", reflection.prompt.slice(0, 250),
        { description: languageMap(reflection.prompt), interactionType: "long-fill-in" });
      enqueue(statement("responded", object, { response: text }, moduleIri[reflection.id.split("/")[0]]));
      stateChanged(state);
    }

    function sendPendingReflections(state) {
      d.reflections.forEach(function (r) { if (reflectionTimers[r.key]) sendReflection(r, state); });
    }

    /* ---- resume ---- */
    function getJSON(url) {
      return request("GET", url).then(function (r) {
        if (r.status === 404) return null;
        if (!r.ok) throw new Error("LRS answered " + r.status);
        return r.json();
      });
    }

    /* Without a State API: the learner's own statements for this registration (plus any still in the outbox),
       replayed in time order, rebuild the state. */
    function stateFromStatements() {
      var list = [];
      function page(url) {
        return getJSON(url).then(function (result) {
          list = list.concat(result && result.statements || []);
          if (result && result.more) return page(new URL(result.more, endpoint).href);
        });
      }
      var query = "statements?agent=" + encodeURIComponent(JSON.stringify(agent)) + "&activity=" +
        encodeURIComponent(courseIri) + "&related_activities=true" +
        (registration ? "&registration=" + encodeURIComponent(registration) : "");
      return page(query).then(function () { return replay(list.concat(outbox.statements)); });
    }

    function replay(list) {
      var state = LP.newState(), seen = {}, found = false;
      list = list.filter(function (s) {
        if (seen[s.id]) return false;
        seen[s.id] = true;
        return true;
      }).map(function (s, i) { return { s: s, i: i, t: Date.parse(s.timestamp) || 0 }; })
        .sort(function (a, b) { return a.t - b.t || a.i - b.i; }); /* LRSs may rewrite the timestamp's format */
      list.forEach(function (entry) {
        var s = entry.s, verb = s.verb.id.replace(VERBS, ""), known = byIri[s.object.id], result = s.result || {};
        if (known && known.kind === "page" && verb === "experienced") {
          state.visited[known.item.key] = true;
          state.location = known.item.key;
        } else if (known && known.kind === "question" && verb === "answered" && result.response) {
          state.answers[known.item.key] = result.response.split("[,]").join("");
        } else if (known && known.kind === "reflection" && verb === "responded" && d.storage === "lms") {
          state.reflections[known.item.key] = String(result.response || "");
        } else if (s.object.id === courseIri && /^(completed|passed|failed)$/.test(verb)) {
          if (!/[pf]/.test(state.done)) state.done = verb.charAt(0);
        } else return;
        found = true;
      });
      return found ? state : null;
    }

    /* The freshest source first: a state document still waiting in the outbox, then the LRS's document, then the
       statements. A blip at launch is tried again a few times, so a returning learner keeps their place; if the
       LRS still cannot be read, the session starts afresh and never overwrites the document. */
    function loadState(tries) {
      var waiting = outbox.state !== null ? LP.decodeState(outbox.state) : null;
      tries = (tries || 0) + 1;
      if (waiting) return Promise.resolve(waiting);
      return getJSON(stateUrl()).then(function (doc) {
        var state = doc ? LP.decodeState(JSON.stringify(doc)) : null;
        return state || stateFromStatements();
      }).catch(function () {
        if (tries < LAUNCH_TRIES) {
          return new Promise(function (resume) { setTimeout(resume, 500 * tries); }).then(function () {
            return loadState(tries);
          });
        }
        stateApi = false;
        failures++;
        return null;
      });
    }

    /* ---- the adapter interface ---- */
    adapter.start = function () {
      if (!actor || !IFIS.some(function (k) { return actor[k]; })) {
        return Promise.reject(new Error("The launch link names no learner (actor), so progress cannot be saved."));
      }
      started = Date.now();
      return loadState().then(function (state) {
        if (state) sentReflections = JSON.parse(JSON.stringify(state.reflections));
        enqueue(statement(state ? "resumed" : "initialized", course()));
        return { learnerName: actor.name || "", state: state, resume: !!(state && state.location), mode: "normal" };
      });
    };

    adapter.pageViewed = function (page, state) {
      enqueue(statement("experienced", activity(page.iri, "page", page.title), null, moduleIri[page.module]));
      stateChanged(state);
    };

    adapter.answered = function (question, response, correct, latency, state) {
      var object = activity(question.iri, "interaction", question.text.slice(0, 250), {
        description: languageMap(question.text), interactionType: "choice",
        correctResponsesPattern: [question.correct.split("").join("[,]")],
        choices: Object.keys(question.options).map(function (k) {
          return { id: k, description: languageMap(question.options[k]) };
        })
      });
      enqueue(statement("answered", object, { response: response.split("").join("[,]"), success: correct,
        duration: LP.isoDuration(latency) }, moduleIri[question.module]));
      stateChanged(state);
    };

    /* Called for every keystroke: statements go out once the learner pauses, and only when the text changed. */
    adapter.reflected = function (reflection, state) {
      if (d.storage !== "lms" || finished) return;
      clearTimeout(reflectionTimers[reflection.key]);
      reflectionTimers[reflection.key] = setTimeout(function () { sendReflection(reflection, state); },
        REFLECTION_DELAY);
      report();
    };

    adapter.evaluated = function (result, state) {
      if (result.complete && !state.done) {
        state.done = "c";
        enqueue(statement("completed", course(), { completion: true, duration: sessionTime() }));
      }
      if ((result.status === "passed" || result.status === "failed") && !/[pf]/.test(state.done)) {
        state.done = result.status.charAt(0);
        enqueue(statement(result.status, course(), { success: result.status === "passed", completion: true,
          duration: sessionTime(), score: { scaled: result.score / 100, raw: result.score, min: 0, max: 100 } }));
      }
      stateChanged(state);
    };

    adapter.flush = function (state) {
      if (!started) return;
      if (state && !finished) { sendPendingReflections(state); stateChanged(state); }
      flushNow();
    };

    /* pagehide or "Save and exit": `terminated` once the course is finished, `suspended` otherwise. */
    adapter.finish = function (state) {
      if (finished || !started) return;
      sendPendingReflections(state);
      outbox.statements.push(statement(state.done ? "terminated" : "suspended", course(), { duration: sessionTime() }));
      if (stateApi) outbox.state = LP.encodeState(state, d.storage === "lms");
      outbox.save();
      finished = true;
      flushNow();
    };
    return adapter;
  };
})();
