/* xAPI (Tin Can launch) adapter: statements to the LRS named at launch, a durable queue so nothing is lost or
   sent twice, and resume from the State API or, where an LRS has none, from the learner's own statements.
   The endpoint and credentials come only from the launch URL; `auth` is never written to storage. */
(function () {
  "use strict";
  var VERBS = "http://adlnet.gov/expapi/verbs/";
  var STATE_ID = "leadpack-progress"; /* the State API document holding the encoded state (see README) */
  var TYPES = { course: "http://adlnet.gov/expapi/activities/course",
    module: "http://adlnet.gov/expapi/activities/module", page: "http://activitystrea.ms/schema/1.0/page",
    question: "http://adlnet.gov/expapi/activities/cmi.interaction",
    reflection: "http://adlnet.gov/expapi/activities/interaction" };

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
    ["name", "mbox", "mbox_sha1sum", "openid", "account"].forEach(function (k) {
      if (Array.isArray(actor[k])) actor[k] = actor[k][0];
    });
    if (actor.account && !actor.account.homePage && actor.account.accountServiceHomePage) {
      actor.account = { homePage: actor.account.accountServiceHomePage, name: actor.account.accountName };
    }
    if (!actor.objectType) actor.objectType = "Agent";
    return actor;
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

  LP.adapters.xapi = function () {
    var p = launchParameters();
    if (!p.endpoint || !p.actor) return null;
    var actor;
    try { actor = normaliseActor(JSON.parse(p.actor)); } catch (e) { return null; }
    var endpoint = p.endpoint.replace(/\/?$/, "/"), auth = p.auth || "", registration = p.registration || "";
    var d = LP.data, courseIri = p.activity_id || d.set.iri, started = 0, finished = false, mode = "normal";
    var store = LP.storage(), queueKey = "leadpack:xapi:" + hash(JSON.stringify(actor) + "|" + registration);
    var queue = [], sending = false, failures = 0, retryTimer = null, stateApi = true, stateTimer = null;
    var adapter = { name: "xapi", learnerId: hash(JSON.stringify(actor)), onStatus: function () {} };

    function headers(json) {
      var h = { "X-Experience-API-Version": "1.0.3" };
      if (auth) h.Authorization = auth;
      if (json) h["Content-Type"] = "application/json";
      return h;
    }

    function request(method, path, body, keepalive) {
      return fetch(endpoint + path, { method: method, headers: headers(body !== undefined), keepalive: !!keepalive,
        body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit", cache: "no-store" });
    }

    function agentQuery(extra) {
      var q = "activityId=" + encodeURIComponent(courseIri) + "&agent=" + encodeURIComponent(JSON.stringify(actor));
      return q + (registration ? "&registration=" + encodeURIComponent(registration) : "") + (extra || "");
    }

    function loadQueue() {
      try { queue = JSON.parse(store && store.getItem(queueKey)) || []; } catch (e) { queue = []; }
    }

    function saveQueue() {
      if (!store) return;
      if (queue.length) store.setItem(queueKey, JSON.stringify(queue)); else store.removeItem(queueKey);
    }

    function activity(iri, kind, name, extra) {
      var definition = { type: TYPES[kind], name: {} };
      definition.name[d.language] = name;
      for (var k in extra || {}) definition[k] = extra[k];
      return { objectType: "Activity", id: iri, definition: definition };
    }

    function course() { return activity(courseIri, "course", d.set.title); }

    function statement(verb, object, result, parent) {
      var grouping = [{ objectType: "Activity", id: d.series.iri }];
      if (parent !== courseIri) grouping.unshift({ objectType: "Activity", id: courseIri });
      if (p.grouping) grouping.push({ objectType: "Activity", id: p.grouping });
      var s = { id: uuid(), actor: actor, verb: { id: VERBS + verb, display: { "en-US": verb } }, object: object,
        timestamp: new Date().toISOString(),
        context: { contextActivities: { grouping: grouping }, language: d.language,
          platform: p.activity_platform || "leadpack" } };
      if (parent) s.context.contextActivities.parent = [{ objectType: "Activity", id: parent }];
      if (registration) s.context.registration = registration;
      if (result) s.result = result;
      return s;
    }

    function send(s) {
      if (finished) return;
      queue.push(s);
      saveQueue();
      deliver();
    }

    /* One statement per request: a 409 or a 204 for a stored id means it is already there, never sent twice. */
    function deliver() {
      if (sending || !queue.length) { if (!queue.length) adapter.onStatus("saved"); return; }
      sending = true;
      adapter.onStatus("saving");
      request("POST", "statements", queue[0]).then(function (r) {
        sending = false;
        if (r.ok || r.status === 409) {
          queue.shift(); saveQueue(); failures = 0; deliver(); return;
        }
        if (r.status >= 400 && r.status < 500 && r.status !== 429 && r.status !== 408) {
          queue.shift(); saveQueue(); /* rejected as invalid: retrying cannot help */
          adapter.errors.push("statement rejected: " + r.status);
          deliver(); return;
        }
        retryLater();
      }, function () { sending = false; retryLater(); });
    }

    function retryLater() {
      failures++;
      adapter.onStatus("failed");
      clearTimeout(retryTimer);
      retryTimer = setTimeout(deliver, Math.min(30000, 500 * Math.pow(2, failures)));
    }

    function putState(state, keepalive) {
      if (!stateApi) return;
      request("PUT", "activities/state?" + agentQuery("&stateId=" + STATE_ID),
        { state: LP.encodeState(state, d.storage === "lms") }, keepalive).then(function (r) {
        if (r.status === 404 || r.status === 405 || r.status === 501) stateApi = false;
      }, function () {});
    }

    function stateSoon(state) {
      clearTimeout(stateTimer);
      stateTimer = setTimeout(function () { putState(state); }, 300);
    }

    function getJSON(path) {
      return request("GET", path).then(function (r) {
        if (r.status === 404 || r.status === 405 || r.status === 501) return null;
        if (!r.ok) throw new Error("LRS answered " + r.status);
        return r.json();
      });
    }

    /* Without a State API, the learner's own statements for this registration rebuild the progress. */
    function stateFromStatements() {
      var state = LP.newState(), found = false, list = [];
      var query = "statements?" + agentQuery("&related_activities=true&ascending=true&limit=500")
        .replace("activityId=", "activity=");
      function page(path) {
        return getJSON(path).then(function (result) {
          list = list.concat(result && result.statements || []);
          if (result && result.more) return page(result.more.replace(/^.*?statements/, "statements"));
        });
      }
      return page(query).then(function () {
        list.sort(function (a, b) { return a.timestamp < b.timestamp ? -1 : 1; });
        list.forEach(function (s) {
          var verb = s.verb.id.replace(VERBS, ""), item = byIri[s.object.id];
          if (item && verb === "experienced") { state.visited[item.key] = true; state.location = item.key; found = true; }
          if (item && verb === "answered" && s.result) state.answers[item.key] = s.result.response.split("[,]").join("");
          if (item && verb === "responded" && s.result) state.reflections[item.key] = s.result.response;
          if (s.object.id === courseIri && /^(completed|passed|failed)$/.test(verb)) state.done = verb.charAt(0);
        });
        return found ? state : null;
      });
    }

    var byIri = {};
    d.pages.concat(d.questions).forEach(function (item) { byIri[item.iri] = item; });
    d.reflections.forEach(function (r) { r.iri = d.set.iri + "/" + r.id; byIri[r.iri] = r; });

    adapter.errors = [];
    adapter.start = function () {
      started = Date.now();
      loadQueue();
      deliver();
      return getJSON("activities/state?" + agentQuery("&stateId=" + STATE_ID)).then(function (doc) {
        if (doc && doc.state) return LP.decodeState(doc.state);
        return stateFromStatements();
      }, function () { stateApi = false; return stateFromStatements(); }).catch(function () { return null; })
        .then(function (state) {
          send(statement(state ? "resumed" : "initialized", course()));
          return { learnerName: actor.name || "", state: state, resume: !!(state && state.location), mode: mode };
        });
    };

    adapter.pageViewed = function (page, state) {
      var module = d.set.iri + "/" + page.module;
      send(statement("experienced", activity(page.iri, "page", page.title), null, module));
      stateSoon(state);
    };

    adapter.answered = function (question, response, correct, latency, state) {
      var keys = Object.keys(question.options), language = d.language;
      var object = activity(question.iri, "question", question.text, {
        interactionType: "choice", correctResponsesPattern: [question.correct.split("").join("[,]")],
        choices: keys.map(function (k) { var c = { id: k, description: {} }; c.description[language] = question.options[k]; return c; })
      });
      send(statement("answered", object, { response: response.split("").join("[,]"), success: correct,
        duration: LP.isoDuration(latency) }, d.set.iri + "/" + question.module));
      stateSoon(state);
    };

    adapter.reflected = function (reflection, state) {
      if (d.storage !== "lms") return;
      var text = state.reflections[reflection.key] || "";
      send(statement("responded", activity(reflection.iri, "reflection", reflection.prompt.slice(0, 250)),
        { response: text }, d.set.iri + "/" + reflection.id.split("/")[0]));
      stateSoon(state);
    };

    adapter.evaluated = function (result, state) {
      var duration = LP.isoDuration(Date.now() - started);
      if (result.complete && !state.done) {
        state.done = "c";
        send(statement("completed", course(), { completion: true, duration: duration }));
      }
      if ((result.status === "passed" || result.status === "failed") && !/[pf]/.test(state.done)) {
        state.done = result.status.charAt(0);
        send(statement(result.status, course(), { success: result.status === "passed", completion: true,
          duration: duration, score: { scaled: result.score / 100, raw: result.score, min: 0, max: 100 } }));
      }
      stateSoon(state);
    };

    /* On pagehide: everything still queued goes out with keepalive, and stays queued until confirmed. */
    adapter.flush = function (state, keepalive) {
      if (state) putState(state, keepalive);
      queue.forEach(function (s) { request("POST", "statements", s, true).catch(function () {}); });
    };

    adapter.finish = function (state) {
      if (finished || !started) return;
      var verb = state.done ? "terminated" : "suspended";
      queue.push(statement(verb, course(), { duration: LP.isoDuration(Date.now() - started) }));
      saveQueue();
      clearTimeout(stateTimer);
      adapter.flush(state, true);
      finished = true;
    };
    return adapter;
  };
})();
